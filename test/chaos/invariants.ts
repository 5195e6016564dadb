import type { Connector, FetchReason, Session, SessionSnapshot, SessionStatus } from '@keyway/core'
import { createLocalJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { expect } from 'vitest'

/**
 * The invariants every chaos scenario asserts, through one recorder:
 *
 * | invariant | how it is checked |
 * |---|---|
 * | a transient fault never signs anyone out | no recorded snapshot has status `signedOut` |
 * | at most 6 connector calls in any 60 s window under failure | sliding window over the calls made while the fault lasted (`changed` calls, i.e. sign-in changes, are exempt by design) |
 * | healthy again within one backoff cap (60 s) after the fault | the clock is advanced in 1 s steps until the snapshot says `authenticated`, no `lastError`, a token with > 5 s left; then `getToken()` must return a token that verifies against the provider's keys at the provider's time |
 *
 * Times are the clock the session runs on (the fake clock of `createTestPlatform`, or the real
 * one for the scenarios whose session runs on real timers).
 */

export const CALL_BUDGET = 6
export const WINDOW_MS = 60_000
export const BACKOFF_CAP_MS = 60_000

export interface CallRecord {
  at: number
  reason: FetchReason
  forceRefresh: boolean
  /** How the call ended: `ok` (credentials), `null`, `error` (it threw), or still `pending`. */
  outcome: 'pending' | 'ok' | 'null' | 'error'
  thrown?: unknown
}

export interface SnapshotRecord {
  at: number
  snapshot: SessionSnapshot
}

export interface ChaosClock {
  now(): number
  wallNow(): number
  /** Moves the session's clock forward (fires its timers). */
  advance(ms: number): Promise<void>
}

export interface ChaosOptions {
  clock: ChaosClock
  /**
   * Makes the fake clock wait for a connector call that does real work (a loopback request),
   * so a 15 s fake timeout cannot fire during a call that takes a few real milliseconds.
   * Decided per call: a call that is meant to hang must not be tracked.
   */
  track?: <T>(work: Promise<T>) => Promise<T>
}

export interface InvariantOptions {
  /** Checks a token the session hands out (signature, `exp` at the provider's clock). */
  verify: (token: string) => Promise<unknown>
  /**
   * `signedOut` is allowed: the scenario's fault is final (revoked refresh token), which is
   * not transient.
   */
  allowSignedOut?: boolean
  /** Skip the recovery check (a scenario where the user never comes back). */
  noRecovery?: boolean
}

/** Records every connector call and every snapshot, and asserts the shared invariants. */
export class ChaosRecorder {
  readonly calls: CallRecord[] = []
  readonly snapshots: SnapshotRecord[] = []
  faultFrom: number | undefined
  faultTo: number | undefined
  readonly #clock: ChaosClock
  readonly #track: ChaosOptions['track']
  readonly #unsubscribes: Array<() => void> = []

  constructor(options: ChaosOptions) {
    this.#clock = options.clock
    this.#track = options.track
  }

  /** A connector that records each call (time, reason, outcome) and delegates to `inner`. */
  instrument<C extends Connector>(inner: C): Connector {
    const wrapped: Connector = {
      id: inner.id,
      fetchCredentials: (options) => this.#record(inner, options),
      ...(inner.subscribe ? { subscribe: (onChange) => inner.subscribe!(onChange) } : {}),
      ...(inner.signOut ? { signOut: () => inner.signOut!() } : {}),
    }
    return wrapped
  }

  /** Records the calls of a connector a session already holds (one built elsewhere). */
  instrumentInPlace(connector: Connector): void {
    const original = connector.fetchCredentials.bind(connector)
    ;(connector as { fetchCredentials: Connector['fetchCredentials'] }).fetchCredentials = (o) =>
      this.#record({ fetchCredentials: original }, o)
  }

  #record(
    inner: Pick<Connector, 'fetchCredentials'>,
    options: Parameters<Connector['fetchCredentials']>[0],
  ): ReturnType<Connector['fetchCredentials']> {
    const call: CallRecord = {
      at: this.#clock.now(),
      reason: options.reason,
      forceRefresh: options.forceRefresh,
      outcome: 'pending',
    }
    this.calls.push(call)
    const work = (async () => {
      try {
        const answer = await inner.fetchCredentials(options)
        call.outcome = answer === null ? 'null' : 'ok'
        return answer
      } catch (e) {
        call.outcome = 'error'
        call.thrown = e
        throw e
      }
    })()
    return this.#track ? this.#track(work) : work
  }

  /** Records the session's initial snapshot and every later one. */
  observe(session: Session): void {
    const push = () =>
      this.snapshots.push({ at: this.#clock.now(), snapshot: session.getSnapshot() })
    push()
    this.#unsubscribes.push(session.subscribe(push))
  }

  faultStarts(): void {
    this.faultFrom = this.#clock.now()
  }

  faultEnds(): void {
    this.faultTo = this.#clock.now()
  }

  statuses(): Set<SessionStatus> {
    return new Set(this.snapshots.map((s) => s.snapshot.status))
  }

  /** Calls made while the fault lasted (both ends included), sign-in changes excepted. */
  callsDuringFault(): CallRecord[] {
    const from = this.faultFrom ?? Number.NEGATIVE_INFINITY
    const to = this.faultTo ?? Number.POSITIVE_INFINITY
    return this.calls.filter((c) => c.at >= from && c.at <= to && c.reason !== 'changed')
  }

  /** The most calls that fall in one 60 s window among `calls`. */
  static busiestWindow(calls: CallRecord[]): number {
    let most = 0
    for (const first of calls) {
      const inWindow = calls.filter((c) => c.at >= first.at && c.at < first.at + WINDOW_MS).length
      most = Math.max(most, inWindow)
    }
    return most
  }

  /**
   * Ends the fault (if the scenario has not), then asserts every invariant; resolves with the
   * token the recovered session hands out and how long the recovery took.
   */
  async assertInvariants(
    session: Session,
    options: InvariantOptions,
  ): Promise<{ token?: string; recoveredInMs?: number }> {
    if (this.faultTo === undefined) this.faultEnds()
    const end = this.faultTo as number

    // 1. No transient fault signs anyone out.
    if (!options.allowSignedOut)
      expect(
        this.snapshots.filter((s) => s.snapshot.status === 'signedOut').map((s) => s.at),
        'a transient fault made the session signedOut',
      ).toEqual([])

    // 2. The failure budget: failed calls (healthy calls between faults do not spend it).
    const duringFault = this.callsDuringFault().filter((c) => c.outcome === 'error')
    expect(
      ChaosRecorder.busiestWindow(duringFault),
      `failed connector calls in the busiest 60 s window during the fault (${duringFault.length} in all)`,
    ).toBeLessThanOrEqual(CALL_BUDGET)

    if (options.noRecovery) return {}

    // 3. Healthy again within one backoff cap, by itself (no getToken() nudging it).
    const healthy = () => {
      const s = session.getSnapshot()
      return (
        s.status === 'authenticated' &&
        s.lastError === null &&
        !s.refreshing &&
        s.expiresAt !== null &&
        s.expiresAt - this.#clock.wallNow() > 5_000
      )
    }
    while (!healthy() && this.#clock.now() - end < BACKOFF_CAP_MS) await this.#clock.advance(1_000)
    const recoveredInMs = this.#clock.now() - end
    expect(
      healthy(),
      `not healthy ${recoveredInMs} ms after the fault ended: ${describe(session.getSnapshot())}`,
    ).toBe(true)
    expect(recoveredInMs).toBeLessThanOrEqual(BACKOFF_CAP_MS)
    const token = await session.getToken()
    await options.verify(token)
    if (!options.allowSignedOut)
      expect(this.snapshots.some((s) => s.snapshot.status === 'signedOut')).toBe(false)
    return { token, recoveredInMs }
  }

  dispose(): void {
    for (const u of this.#unsubscribes.splice(0)) u()
  }
}

function describe(s: SessionSnapshot): string {
  return JSON.stringify({
    status: s.status,
    refreshing: s.refreshing,
    lastError: s.lastError?.code ?? null,
    expiresAt: s.expiresAt,
  })
}

/**
 * A verifier for tokens from a provider key set: signature, and `exp`/`iat` at the
 * provider's clock (which may differ from the device's).
 */
export function tokenVerifier(
  keys: { keys: JsonWebKey[] } | JWTVerifyGetKey,
  providerNow: () => number,
): (token: string) => Promise<void> {
  const getKey =
    typeof keys === 'function'
      ? keys
      : createLocalJWKSet(keys as Parameters<typeof createLocalJWKSet>[0])
  return async (token) => {
    const { payload } = await jwtVerify(token, getKey, { currentDate: new Date(providerNow()) })
    expect(typeof payload.sub).toBe('string')
    expect(payload.exp! * 1000).toBeGreaterThan(providerNow())
  }
}
