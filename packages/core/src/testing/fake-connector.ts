import type { Connector, Credentials, FetchCredentialsOptions } from '../contract.js'
import { raceSignal } from '../signal.js'
import { createTokenMinter, type TokenMinter } from './token-minter.js'

export interface FakeConnectorOptions {
  id?: string
  /** Signed-in user at start; `null` = nobody. Default `'user_1'`. */
  user?: string | null
  /** Lifetime of minted tokens, seconds. Default 3600. */
  lifetimeSec?: number
  /** Wall clock for `iat`; pass the test platform's clock. */
  now?: () => number
  /** Like provider SDKs, serve the cached token on unforced calls while it has this long left (s). Default 30. */
  cacheMarginSec?: number
  minter?: TokenMinter
  /** The test platform's `track`, so its fake clock waits for token signing. */
  track?: <T>(work: Promise<T>) => Promise<T>
  /**
   * Tell each new subscriber the current user at once (in a microtask), as Firebase's
   * `onIdTokenChanged` and Clerk's `addListener` do. Default `false`.
   */
  reportOnSubscribe?: boolean
}

export interface FakeConnector extends Connector {
  /** Every call's options, in order. */
  readonly calls: FetchCredentialsOptions[]
  readonly callCount: number
  /** Calls started but not yet settled. */
  readonly inFlight: number
  readonly minter: TokenMinter
  /** Tokens minted so far, in order. */
  readonly minted: string[]
  /** Changes the provider's user (`null` signs out) and tells subscribers who it is now. */
  setUser(user: string | null): void
  /** Makes the next `times` calls throw `error`. */
  failNext(error: unknown, times?: number): void
  /** Makes every call throw `error` until called with `null`. */
  failAlways(error: unknown | null): void
  /** Holds every call until the returned function is called (a connector that hangs). */
  hold(): () => void
  /** Makes calls never settle (ignoring the signal) until called with `false`. */
  neverSettle(on: boolean): void
  /** Makes forced calls return the cached token anyway (a provider that ignores force). */
  ignoreForce(on: boolean): void
  /** Replaces the next answers with these (after which normal minting resumes). */
  answerNext(...answers: Array<Credentials | null>): void
  /** Subscribers currently registered. */
  readonly listenerCount: number
}

/**
 * A scriptable connector over a real token minter: counts calls, caches like a provider
 * SDK, and can fail, hang or switch users on command.
 *
 * @example
 * ```ts
 * const connector = await createFakeConnector({ lifetimeSec: 60, now: t.clock.wallNow })
 * connector.failNext(new Error('503'), 3)
 * ```
 */
export async function createFakeConnector(
  options: FakeConnectorOptions = {},
): Promise<FakeConnector> {
  const now = options.now ?? (() => Date.now())
  const minter = options.minter ?? (await createTokenMinter({ now }))
  const lifetimeSec = options.lifetimeSec ?? 3600
  const cacheMarginSec = options.cacheMarginSec ?? 30
  const track = options.track ?? (<T>(work: Promise<T>) => work)
  let user: string | null = options.user === undefined ? 'user_1' : options.user
  let cached: { token: string; exp: number; user: string } | undefined
  const calls: FetchCredentialsOptions[] = []
  const minted: string[] = []
  const listeners = new Set<(userId?: string | null) => void>()
  const failures: unknown[] = []
  let persistentFailure: { error: unknown } | undefined
  let holds: Array<Promise<void>> = []
  let never = false
  let forceIgnored = false
  let inFlight = 0
  const scripted: Array<Credentials | null> = []

  async function answer(o: FetchCredentialsOptions): Promise<Credentials | null> {
    for (const h of holds) await h
    if (never) return new Promise<never>(() => {})
    if (failures.length > 0) throw failures.shift()
    if (persistentFailure) throw persistentFailure.error
    if (scripted.length > 0) return scripted.shift() ?? null
    if (user === null) return null
    const nowSec = Math.floor(now() / 1000)
    const cacheOk = cached && cached.user === user && cached.exp - nowSec > cacheMarginSec
    if (cacheOk && (!o.forceRefresh || forceIgnored)) return { token: cached!.token }
    const token = await track(minter.mint({ sub: user, lifetimeSec }))
    minted.push(token)
    cached = { token, exp: nowSec + lifetimeSec, user }
    return { token }
  }

  const connector: FakeConnector = {
    id: options.id ?? 'fake',
    calls,
    minter,
    minted,
    get callCount() {
      return calls.length
    },
    get inFlight() {
      return inFlight
    },
    get listenerCount() {
      return listeners.size
    },
    async fetchCredentials(o) {
      calls.push(o)
      inFlight++
      try {
        return await raceSignal(answer(o), o.signal)
      } finally {
        inFlight--
      }
    },
    subscribe(onChange) {
      if (options.reportOnSubscribe) queueMicrotask(() => onChange(user))
      listeners.add(onChange)
      return () => listeners.delete(onChange)
    },
    async signOut() {
      connector.setUser(null)
    },
    setUser(next) {
      user = next
      cached = undefined
      // Like a real connector: the provider's user, as the session compares it with its own.
      for (const l of [...listeners]) l(next)
    },
    failNext(error, times = 1) {
      for (let i = 0; i < times; i++) failures.push(error)
    },
    failAlways(error) {
      persistentFailure = error === null ? undefined : { error }
    },
    hold() {
      let release!: () => void
      const p = new Promise<void>((r) => {
        release = r
      })
      holds.push(p)
      return () => {
        release()
        holds = holds.filter((h) => h !== p)
      }
    },
    neverSettle(on) {
      never = on
    },
    ignoreForce(on) {
      forceIgnored = on
    },
    answerNext(...answers) {
      scripted.push(...answers)
    },
  }
  return connector
}
