import { backoffDelay, CallWindow } from './backoff.js'
import type { Connector, Credentials, FetchCredentialsOptions, FetchReason } from './contract.js'
import { KeywayError, toKeywayError } from './errors.js'
import {
  anchorCredentials,
  fromStored,
  type HeldCredentials,
  remainingMs,
  SkewEstimator,
  toStored,
} from './held-credentials.js'
import { defaultPlatform, type Platform, type PlatformEvent, type TimerHandle } from './platform.js'
import { DEFAULT_POLICY, MAX_TIMER_DELAY_MS, type RefreshPolicy } from './policy.js'
import { redactToken } from './redact.js'
import { minimumRemaining, refreshOffset } from './refresh-schedule.js'
import { nextSnapshot, type SessionSnapshot, type SessionStatus } from './snapshot.js'

/**
 * Where anonymous tokens come from while nobody is signed in (see `anonymousIdentity`).
 * Its tokens put the session in the `anonymous` status.
 */
export interface AnonymousSource {
  fetchCredentials(options: FetchCredentialsOptions): Promise<Credentials>
  /** Forgets the device identity, so the next guest after a sign-out is a new one. */
  reset?(): Promise<void>
}

export interface SessionOptions extends Partial<RefreshPolicy> {
  /** The provider's connector: the one source of credentials. */
  connector: Connector
  /** Clock, timers, storage, tabs and host signals. Default: `defaultPlatform()`. */
  platform?: Platform
  /** Key for storage and cross-tab messages. Default `keyway:<connector.id>`. */
  storageKey?: string
  /** When set, a `null` from the connector means "anonymous" instead of "signed out". */
  anonymous?: AnonymousSource
}

/**
 * Always-valid credentials from one connector: cached, refreshed before expiry,
 * re-fetched when a backend rejects them, and never dropped on a transient fault.
 */
export interface Session {
  readonly connector: Connector
  /**
   * A token with enough life left to be used now. Waits for a refresh when the current one
   * is nearly dead. Rejects with `ERR_SIGNED_OUT` when nobody is signed in, and with the
   * last transient error when no valid token can be had right now.
   */
  getToken(): Promise<string>
  /** Like `getToken`, with `endpoint` and `expiresAt`; `null` when nobody is signed in. */
  getCredentials(): Promise<Credentials | null>
  /**
   * Tell the session a backend answered 401 for `token`. Resolves with credentials for one
   * retry (new ones, or the same token when the provider insists and it was rejected only
   * once). Rejects when there is nothing to retry with. A rejection of an old token is a no-op.
   */
  reportRejected(token: string): Promise<Credentials | null>
  /** Fetches new credentials now (forced), within the call budget. */
  refresh(): Promise<Credentials | null>
  /** Signs out at the provider and forgets the credentials here and in every tab. */
  signOut(): Promise<void>
  /** Calls `listener` after every state change. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** The current state; the same object until something changes. */
  getSnapshot(): SessionSnapshot
  /** Stops every timer, listener and call in flight. The session cannot be used afterwards. */
  dispose(): void
}

type Held = HeldCredentials & { anonymous: boolean; stale: boolean; refreshOffsetMs?: number }

type FetchOutcome =
  | { kind: 'credentials'; held: Held }
  | { kind: 'adopted'; held: Held }
  | { kind: 'kept' }
  | { kind: 'signedOut' }
  | { kind: 'error'; error: KeywayError }

const METHODS = [
  'getToken',
  'getCredentials',
  'reportRejected',
  'refresh',
  'signOut',
  'subscribe',
  'getSnapshot',
  'dispose',
] as const

class KeywaySession implements Session {
  readonly connector: Connector
  readonly #platform: Platform
  readonly #policy: RefreshPolicy
  readonly #key: string
  readonly #anonymous: AnonymousSource | undefined

  #held: Held | null = null
  #status: SessionStatus = 'initializing'
  #lastError: KeywayError | null = null
  readonly #counters = { fetches: 0, failures: 0, rejections: 0 }
  #snapshot: SessionSnapshot
  readonly #listeners = new Set<() => void>()

  #inflight: Promise<void> | null = null
  #inflightController: AbortController | null = null
  /** Bumped by sign-out, provider changes and dispose: results of older fetches are dropped. */
  #epoch = 0
  #failuresInRow = 0
  #retryAtMono = 0
  #lastFetchMs = 0
  readonly #calls: CallWindow
  readonly #fetchWindow = new CallWindow(Number.POSITIVE_INFINITY)
  readonly #skew = new SkewEstimator()
  #skewWarned = false
  #stormWarnedAt = Number.NEGATIVE_INFINITY

  #timer: TimerHandle | undefined
  #timerArmed = { mono: 0, wall: 0, delay: 0 }
  #disposed = false
  readonly #cleanups: Array<() => void> = []
  readonly #ready: Promise<void>

  constructor(options: SessionOptions) {
    const { connector, platform, storageKey, anonymous, ...policy } = options
    this.connector = connector
    this.#platform = platform ?? defaultPlatform()
    this.#policy = { ...DEFAULT_POLICY, ...definedOnly(policy) }
    this.#key = storageKey ?? `keyway:${connector.id}`
    this.#anonymous = anonymous
    this.#calls = new CallWindow(this.#policy.maxCallsPerMinute)
    this.#snapshot = this.#buildSnapshot()
    // Bound, so `const { getToken } = session` and passing `session.getToken` as a callback
    // (React, TanStack Query) work: private fields need the real `this`.
    for (const name of METHODS) this[name] = this[name].bind(this) as never
    this.#ready = this.#start()
  }

  // ── public API ───────────────────────────────────────────────────────────────

  async getToken(): Promise<string> {
    const credentials = await this.getCredentials()
    if (credentials === null) throw new KeywayError('ERR_SIGNED_OUT', 'Nobody is signed in')
    return credentials.token
  }

  async getCredentials(): Promise<Credentials | null> {
    const failuresAtStart = this.#counters.failures
    for (let round = 0; round < 4; round++) {
      this.#assertAlive()
      await this.#ready
      this.#assertAlive()
      const usable = this.#usable()
      if (usable) {
        // Still good to hand out, but due: a timer that slept late would refresh it anyway.
        if (this.#refreshDue(usable)) this.#check('proactive')
        return usable.credentials
      }
      if (this.#inflight) {
        await this.#inflight
        continue
      }
      if (this.#status === 'signedOut') return null
      if (this.#status === 'error' && this.#lastError && !this.#lastError.transient)
        throw this.#lastError
      // One call makes at most one attempt of its own; a caller waiting for a token makes the
      // backoff wait give way, but not the call budget or the offline state.
      const blocked =
        this.#counters.failures > failuresAtStart
          ? (this.#lastError ?? undefined)
          : this.#blockedBy(this.#held ? 'proactive' : 'initial', true)
      if (blocked) return this.#lastResort(blocked)
      await this.#runFetch(this.#held ? 'proactive' : 'initial', true)
    }
    return this.#lastResort(
      this.#lastError ?? new KeywayError('ERR_PROVIDER', 'No credentials could be obtained'),
    )
  }

  /** When no fresh token can be had now, a nearly dead one that is still valid beats none. */
  #lastResort(error: KeywayError): Credentials {
    const held = this.#held
    if (held && !held.stale && held.rejections < 2 && remainingMs(held, this.#platform) > 0)
      return held.credentials
    throw error
  }

  async reportRejected(token: string): Promise<Credentials | null> {
    this.#assertAlive()
    await this.#ready
    this.#counters.rejections++
    const held = this.#held
    if (!held || held.credentials.token !== token) {
      // An old token: whatever replaced it already is the answer.
      this.#emit()
      return this.getCredentials()
    }
    held.rejections++
    this.#debug(`token ${redactToken(token)} rejected by a backend (${held.rejections}×)`)
    if (held.rejections >= 2) {
      this.#rejectedTwice()
      this.#schedule()
      throw this.#lastError!
    }
    this.#emit()
    if (this.#inflight) await this.#inflight
    if (this.#held && this.#held.credentials.token !== token && this.#usable())
      return this.#held.credentials
    const limited = this.#calls.nextAllowed(this.#platform.now())
    if (limited > this.#platform.now()) throw this.#rateLimited(limited)
    const failuresBefore = this.#counters.failures
    await this.#runFetch('rejected')
    while (this.#inflight) await this.#inflight
    if (this.#counters.failures > failuresBefore) throw this.#lastError!
    const usable = this.#usable()
    if (usable) return usable.credentials
    if (this.#status === 'signedOut') return null
    throw this.#lastError ?? new KeywayError('ERR_REJECTED', 'The backend rejected the token')
  }

  async refresh(): Promise<Credentials | null> {
    this.#assertAlive()
    await this.#ready
    if (this.#inflight) await this.#inflight
    const allowed = this.#calls.nextAllowed(this.#platform.now())
    if (allowed > this.#platform.now()) throw this.#rateLimited(allowed)
    this.#retryAtMono = 0
    const failuresBefore = this.#counters.failures
    await this.#runFetch('manual')
    // A provider change during the fetch starts a newer one: answer with its outcome.
    while (this.#inflight) await this.#inflight
    if (this.#counters.failures > failuresBefore) throw this.#lastError!
    return this.#usable()?.credentials ?? null
  }

  async signOut(): Promise<void> {
    this.#assertAlive()
    await this.#ready
    this.#forget('signedOut')
    // Forget the guest before anyone (this tab's provider listener, other tabs) fetches
    // anew, or the next anonymous token would still speak for the old guest.
    await this.#anonymous?.reset?.()?.catch((e) => this.#storageFailed(e))
    this.#platform.crossTab?.post(this.#key, { type: 'signedOut' })
    await this.#platform.storage?.delete(this.#key).catch((e) => this.#storageFailed(e))
    await this.connector.signOut?.()
    if (this.#anonymous) void this.#runFetch('changed')
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  getSnapshot(): SessionSnapshot {
    return this.#snapshot
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    this.#epoch++
    this.#detachInflight(new KeywayError('ERR_DISPOSED', 'The session was disposed'))
    this.#clearTimer()
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#listeners.clear()
  }

  // ── start-up and host signals ────────────────────────────────────────────────

  async #start(): Promise<void> {
    // Subscribe before restoring so that no provider change falls in the gap.
    if (this.connector.subscribe)
      this.#cleanups.push(this.connector.subscribe(() => this.#onProviderChange()))
    this.#cleanups.push(this.#platform.subscribe((event) => this.#onPlatformEvent(event)))
    const crossTab = this.#platform.crossTab
    if (crossTab) this.#cleanups.push(crossTab.listen(this.#key, (m) => this.#onRemote(m)))
    const restored = await this.#loadStored()
    if (this.#disposed) return
    const floor = minimumRemaining(this.#lastFetchMs, this.#policy)
    if (
      restored &&
      this.#status === 'initializing' &&
      remainingMs(restored, this.#platform) > floor
    ) {
      // Usable now: no network before the first token. If it is already due, the timer
      // fires at once and refreshes it (forced) while callers are served.
      this.#setHeld(restored)
      this.#debug(`restored ${redactToken(restored.credentials.token)} from storage`)
      this.#schedule()
      return
    }
    if (this.#status === 'initializing' && !this.#inflight) void this.#runFetch('initial')
  }

  #onPlatformEvent(event: PlatformEvent): void {
    if (this.#disposed) return
    if (event === 'offline' || event === 'background') {
      this.#clearTimer()
      return
    }
    // online, wake: look at the token at once, even inside a backoff wait.
    this.#retryAtMono = Math.min(this.#retryAtMono, this.#platform.now())
    this.#check('wake')
  }

  #onProviderChange(): void {
    if (this.#disposed) return
    this.#epoch++
    this.#detachInflight(new KeywayError('ERR_ABORTED', 'The provider changed user'))
    // The old token is never handed out again unless the provider confirms the same user.
    if (this.#held) this.#held.stale = true
    this.#failuresInRow = 0
    this.#retryAtMono = 0
    void this.#runFetch('changed')
  }

  #onRemote(
    message: Parameters<Parameters<NonNullable<Platform['crossTab']>['listen']>[1]>[0],
  ): void {
    if (this.#disposed) return
    if (message.type === 'signedOut') {
      if (this.#status === 'signedOut') return
      this.#forget('signedOut')
      if (this.#anonymous) void this.#runFetch('changed')
      return
    }
    if (message.type !== 'credentials') return
    const incoming = fromStored(message.credentials, this.#platform)
    if (!incoming) return
    const current = this.#held
    if (current && current.credentials.token === incoming.credentials.token) return
    if (current && !current.stale && incoming.receivedWall < current.receivedWall) return
    this.#adopt({ ...incoming, anonymous: message.credentials.anonymous === true, stale: false })
    this.#debug(`received ${redactToken(incoming.credentials.token)} from another tab`)
    this.#schedule()
  }

  // ── fetching ─────────────────────────────────────────────────────────────────

  #runFetch(reason: FetchReason, onDemand = false): Promise<void> {
    if (this.#inflight) return this.#inflight
    if (this.#disposed || this.#blockedBy(reason, onDemand)) {
      this.#schedule()
      return Promise.resolve()
    }
    const epoch = this.#epoch
    const controller = new AbortController()
    const run = (async () => {
      let outcome: FetchOutcome
      try {
        outcome = await this.#fetchCoordinated(reason, controller.signal, epoch)
      } catch (e) {
        outcome = { kind: 'error', error: toKeywayError(e) }
      }
      if (epoch !== this.#epoch || this.#disposed) return
      this.#apply(outcome, reason)
    })().finally(() => {
      if (this.#inflight !== run) return
      this.#inflight = null
      this.#inflightController = null
      this.#emit()
      this.#schedule()
    })
    this.#inflight = run
    this.#inflightController = controller
    this.#clearTimer()
    this.#emit()
    return run
  }

  /** One tab fetches; the others find its result in storage once they hold the lock. */
  async #fetchCoordinated(
    reason: FetchReason,
    signal: AbortSignal,
    epoch: number,
  ): Promise<FetchOutcome> {
    const crossTab = this.#platform.crossTab
    const replacing = this.#held?.credentials.token
    const callAndShare = async (): Promise<FetchOutcome> => {
      const outcome = await this.#callConnector(reason, signal)
      if (epoch === this.#epoch) await this.#share(outcome)
      return outcome
    }
    if (!crossTab) return callAndShare()
    const locked = await crossTab.withLock(
      this.#key,
      async (): Promise<FetchOutcome> => {
        if (reason !== 'changed') {
          const stored = await this.#loadStored()
          if (stored && stored.credentials.token !== replacing && !this.#refreshDue(stored))
            return { kind: 'adopted', held: stored }
        }
        return callAndShare()
      },
      { waitMs: this.#policy.lockWaitMs },
    )
    if (locked.acquired) return locked.value
    // The lock did not come in time (a stuck tab): a still-valid token beats a second refresh.
    const held = this.#held
    if (held && !held.stale && held.rejections === 0 && remainingMs(held, this.#platform) > 0)
      return { kind: 'kept' }
    return callAndShare()
  }

  async #callConnector(reason: FetchReason, parent: AbortSignal): Promise<FetchOutcome> {
    const platform = this.#platform
    const policy = this.#policy
    const now = platform.now()
    this.#calls.record(now)
    this.#fetchWindow.record(now)
    this.#counters.fetches++
    if (
      this.#fetchWindow.count(now) > policy.maxCallsPerMinute &&
      now - this.#stormWarnedAt > 60_000
    ) {
      this.#stormWarnedAt = now
      this.#warn(
        `refresh storm: ${this.#fetchWindow.count(now)} connector calls in the last minute`,
      )
    }
    const controller = new AbortController()
    const onParentAbort = () => controller.abort(parent.reason)
    parent.addEventListener('abort', onParentAbort, { once: true })
    let timer: TimerHandle | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = platform.setTimeout(() => {
        const error = new KeywayError(
          'ERR_TIMEOUT',
          `The connector did not answer within ${policy.fetchTimeoutMs} ms`,
        )
        controller.abort(error)
        reject(error)
      }, policy.fetchTimeoutMs)
    })
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener(
        'abort',
        () => reject(toKeywayError(controller.signal.reason)),
        { once: true },
      )
    })
    const options: FetchCredentialsOptions = {
      // A first fetch and a provider change may take the provider's cached token; every
      // other reason is for a newer one.
      forceRefresh: reason !== 'initial' && reason !== 'changed',
      reason,
      signal: controller.signal,
    }
    const started = platform.now()
    try {
      const call = async () => {
        const answer = await this.connector.fetchCredentials(options)
        if (answer !== null || !this.#anonymous) return { answer, anonymous: false }
        return { answer: await this.#anonymous.fetchCredentials(options), anonymous: true }
      }
      const { answer, anonymous } = await Promise.race([call(), timeout, aborted])
      this.#lastFetchMs = platform.now() - started
      if (answer === null) return { kind: 'signedOut' }
      if (typeof answer !== 'object' || typeof answer.token !== 'string')
        throw new KeywayError(
          'ERR_PROVIDER',
          'The connector answered something that is not credentials',
          {
            transient: false,
          },
        )
      const held: Held = {
        ...anchorCredentials(answer, platform, this.#skew),
        anonymous,
        stale: false,
      }
      this.#debug(
        `${reason} fetch → ${redactToken(answer.token)} (${Math.round(this.#lastFetchMs)} ms)`,
      )
      this.#warnOnSkew()
      return { kind: 'credentials', held }
    } catch (e) {
      return { kind: 'error', error: toKeywayError(e) }
    } finally {
      platform.clearTimeout(timer)
      parent.removeEventListener('abort', onParentAbort)
    }
  }

  /** Persists and broadcasts a fresh result (inside the lock, so other tabs find it). */
  async #share(outcome: FetchOutcome): Promise<void> {
    const { storage, crossTab } = this.#platform
    if (outcome.kind === 'credentials') {
      const stored = {
        ...toStored(outcome.held),
        ...(outcome.held.anonymous ? { anonymous: true } : {}),
      }
      await storage?.set(this.#key, stored).catch((e) => this.#storageFailed(e))
      crossTab?.post(this.#key, { type: 'credentials', credentials: stored })
    } else if (outcome.kind === 'signedOut') {
      await storage?.delete(this.#key).catch((e) => this.#storageFailed(e))
      crossTab?.post(this.#key, { type: 'signedOut' })
    } else if (outcome.kind === 'error' && !outcome.error.transient) {
      await storage?.delete(this.#key).catch((e) => this.#storageFailed(e))
    }
  }

  #apply(outcome: FetchOutcome, reason: FetchReason): void {
    switch (outcome.kind) {
      case 'kept':
        // Another tab holds the lock and may be stuck: try again later, not in a tight loop.
        this.#backOff()
        return
      case 'adopted':
        this.#adopt(outcome.held)
        return
      case 'signedOut':
        this.#forget('signedOut')
        return
      case 'error':
        this.#fail(outcome.error)
        return
      case 'credentials': {
        const fresh = outcome.held
        const current = this.#held
        if (current && current.credentials.token === fresh.credentials.token) {
          fresh.rejections = current.rejections
          if (fresh.rejections >= 2) {
            this.#rejectedTwice()
            return
          }
          if (reason !== 'rejected' && reason !== 'changed' && this.#refreshDue(fresh)) {
            // The provider handed back the token we wanted to replace: keep it, try again later.
            this.#setHeld({ ...fresh, refreshOffsetMs: current.refreshOffsetMs })
            this.#backOff()
            return
          }
        }
        this.#adopt(fresh)
      }
    }
  }

  // ── state changes ────────────────────────────────────────────────────────────

  #adopt(held: Held): void {
    this.#failuresInRow = 0
    this.#retryAtMono = 0
    this.#lastError = null
    this.#setHeld(held)
  }

  #setHeld(held: Held): void {
    this.#held = held
    this.#status = held.anonymous ? 'anonymous' : 'authenticated'
    this.#emit()
  }

  #forget(status: SessionStatus): void {
    this.#epoch++
    this.#detachInflight(new KeywayError('ERR_ABORTED', 'The session was signed out'))
    this.#held = null
    this.#status = status
    this.#lastError = null
    this.#failuresInRow = 0
    this.#retryAtMono = 0
    this.#clearTimer()
    this.#emit()
  }

  #fail(error: KeywayError): void {
    if (error.code === 'ERR_DISPOSED') return
    this.#counters.failures++
    this.#lastError = error
    if (!error.transient) {
      // Final: the provider says this session is over. Stop serving the token; no retry loop.
      this.#debug(`final error ${error.code}; waiting for the provider to change`)
      this.#held = null
      this.#status = 'error'
      this.#failuresInRow = 0
      this.#emit()
      return
    }
    this.#backOff(error.retryAfterMs)
    const held = this.#held
    // A transient fault never signs anyone out: with a valid token, the status stays.
    if (!held || held.stale || held.rejections >= 2 || remainingMs(held, this.#platform) <= 0)
      this.#status = 'error'
    this.#emit()
  }

  #backOff(retryAfterMs?: number): void {
    this.#failuresInRow++
    const delay = backoffDelay(
      this.#failuresInRow,
      this.#policy,
      this.#platform.random,
      retryAfterMs,
    )
    this.#retryAtMono = this.#platform.now() + delay
  }

  #rejectedTwice(): void {
    this.#lastError = new KeywayError(
      'ERR_REJECTED',
      'The backend rejected the same token twice; retrying with backoff',
    )
    this.#counters.failures++
    this.#status = 'error'
    this.#backOff()
    this.#emit()
  }

  #emit(): void {
    const next = nextSnapshot(this.#snapshot, this.#buildSnapshot())
    if (next === this.#snapshot) return
    this.#snapshot = next
    for (const listener of [...this.#listeners]) {
      try {
        listener()
      } catch (e) {
        this.#warn(`a session listener threw: ${(e as Error)?.message ?? String(e)}`)
      }
    }
  }

  #buildSnapshot(): SessionSnapshot {
    const held = this.#held
    return {
      status: this.#status,
      userId: held && !held.stale ? held.userId : null,
      expiresAt: held?.expiresWall ?? null,
      refreshing: this.#inflight !== null,
      lastError: this.#lastError,
      counters: this.#counters,
    }
  }

  // ── scheduling ───────────────────────────────────────────────────────────────

  /** Credentials that may be handed out now. */
  #usable(): Held | undefined {
    const held = this.#held
    if (!held || held.stale || held.rejections >= 2) return undefined
    if (remainingMs(held, this.#platform) <= minimumRemaining(this.#lastFetchMs, this.#policy))
      return undefined
    return held
  }

  #refreshDue(held: Held): boolean {
    return remainingMs(held, this.#platform) <= this.#refreshOffsetOf(held)
  }

  #refreshOffsetOf(held: Held): number {
    if (held.expiresMono === null) return Number.NEGATIVE_INFINITY
    if (held.refreshOffsetMs === undefined) {
      const lifetime = held.lifetimeMs ?? Math.max(0, remainingMs(held, this.#platform))
      held.refreshOffsetMs = Math.max(
        refreshOffset(lifetime, this.#policy, this.#platform.random),
        minimumRemaining(this.#lastFetchMs, this.#policy),
      )
    }
    return held.refreshOffsetMs
  }

  /**
   * Why a fetch for `reason` may not start now, or `undefined` when it may. `onDemand`: a
   * caller is waiting for a token, so the backoff wait gives way (the call budget does not).
   */
  #blockedBy(reason: FetchReason, onDemand = false): KeywayError | undefined {
    const now = this.#platform.now()
    if (!this.#platform.isOnline()) return new KeywayError('ERR_OFFLINE', 'The device is offline')
    if (!onDemand && reason !== 'changed' && this.#failuresInRow > 0 && now < this.#retryAtMono)
      return this.#lastError ?? new KeywayError('ERR_PROVIDER', 'Waiting to retry')
    if (this.#budgeted(reason)) {
      const allowed = this.#calls.nextAllowed(now)
      if (allowed > now) return this.#rateLimited(allowed)
    }
    return undefined
  }

  /**
   * The call budget holds under failure: retries, rejections and manual refreshes. Healthy
   * proactive refreshes of short tokens may exceed it (and warn as a refresh storm);
   * sign-in changes never wait for it. A first fetch that keeps failing is a retry like any
   * other: an app asking for a token every second while the provider is down must not
   * turn each ask into a call.
   */
  #budgeted(reason: FetchReason): boolean {
    if (reason === 'rejected' || reason === 'manual') return true
    if (reason === 'changed') return false
    return this.#failuresInRow > 0
  }

  #rateLimited(allowedAt: number): KeywayError {
    return new KeywayError(
      'ERR_RATE_LIMITED',
      `Connector call budget spent (${this.#policy.maxCallsPerMinute}/min)`,
      {
        retryAfterMs: allowedAt - this.#platform.now(),
      },
    )
  }

  /** Looks at the token now and fetches when it is due; otherwise re-arms the timer. */
  #check(reason: 'proactive' | 'wake'): void {
    if (this.#disposed || this.#inflight) return
    const held = this.#held
    if (this.#status === 'signedOut' && !held) return
    if (this.#status === 'error' && this.#lastError && !this.#lastError.transient) return
    const due =
      this.#failuresInRow > 0 ||
      !held ||
      held.stale ||
      held.rejections >= 2 ||
      this.#refreshDue(held)
    if (due && !this.#blockedBy(held ? reason : 'initial')) {
      void this.#runFetch(held && !held.stale ? reason : 'initial')
      return
    }
    this.#schedule()
  }

  #schedule(): void {
    this.#clearTimer()
    if (this.#disposed || this.#inflight || !this.#platform.isOnline()) return
    if (this.#status === 'signedOut' && !this.#held) return
    if (this.#status === 'error' && this.#lastError && !this.#lastError.transient) return
    const now = this.#platform.now()
    const held = this.#held
    let due: number
    if (this.#failuresInRow > 0) due = this.#retryAtMono
    else if (!held) return
    else if (held.expiresMono === null) return
    else due = now + remainingMs(held, this.#platform) - this.#refreshOffsetOf(held)
    if (this.#failuresInRow > 0) due = Math.max(due, this.#calls.nextAllowed(now))
    const delay = Math.min(Math.max(0, due - now), this.#policy.maxTimerMs, MAX_TIMER_DELAY_MS)
    this.#timerArmed = { mono: now, wall: this.#platform.wallNow(), delay }
    this.#timer = this.#platform.setTimeout(() => this.#onTimer(), delay)
  }

  #onTimer(): void {
    this.#timer = undefined
    const { mono, wall, delay } = this.#timerArmed
    const elapsed = Math.max(this.#platform.now() - mono, this.#platform.wallNow() - wall)
    const late = elapsed > this.#policy.lateTimerFactor * delay && elapsed - delay > 1_000
    if (late) {
      this.#debug(`timer fired ${Math.round(elapsed - delay)} ms late: the device slept`)
      this.#retryAtMono = Math.min(this.#retryAtMono, this.#platform.now())
    }
    this.#check(late ? 'wake' : 'proactive')
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return
    this.#platform.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  // ── helpers ──────────────────────────────────────────────────────────────────

  #detachInflight(reason: KeywayError): void {
    const controller = this.#inflightController
    this.#inflight = null
    this.#inflightController = null
    controller?.abort(reason)
  }

  async #loadStored(): Promise<Held | undefined> {
    const storage = this.#platform.storage
    if (!storage) return undefined
    try {
      const value = await storage.get(this.#key)
      const held = fromStored(value, this.#platform)
      return held && { ...held, anonymous: value?.anonymous === true, stale: false }
    } catch (e) {
      this.#storageFailed(e)
      return undefined
    }
  }

  #storageFailed(error: unknown): void {
    this.#debug(`storage failed: ${(error as Error)?.name ?? 'error'}; continuing in memory`)
  }

  #warnOnSkew(): void {
    const skew = this.#skew.skewMs(this.#platform)
    if (this.#skewWarned || Math.abs(skew) <= this.#policy.skewWarningMs) return
    this.#skewWarned = true
    this.#warn(
      `the local clock is about ${Math.round(-skew / 1000)} s off the issuer's; keyway times tokens by their own lifetime, but check the device clock`,
    )
  }

  #assertAlive(): void {
    if (this.#disposed) throw new KeywayError('ERR_DISPOSED', 'The session was disposed')
  }

  #debug(message: string): void {
    this.#platform.logger.debug(`[keyway:${this.connector.id}] ${message}`)
  }

  #warn(message: string): void {
    this.#platform.logger.warn(`[keyway:${this.connector.id}] ${message}`)
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * Creates a session over a connector. It restores persisted credentials (when the platform
 * has storage) or fetches the first ones at once, then keeps them fresh until `dispose()`.
 *
 * @example
 * ```ts
 * import { createSession, authFetch } from '@keyway/core'
 * import { httpConnector } from '@keyway/http'
 *
 * const session = createSession({ connector: httpConnector({ url: '/api/token' }) })
 * const token = await session.getToken()
 * const api = authFetch(session)
 * const res = await api('https://api.example.com/notes')
 * ```
 */
export function createSession(options: SessionOptions): Session {
  return new KeywaySession(options)
}
