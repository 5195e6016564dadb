/** A cancellable timer handle, whatever the host returns. */
export type TimerHandle = unknown

/** Signals from the host that make the session look at its token again. */
export type PlatformEvent =
  /** Connectivity came back: check at once. */
  | 'online'
  /** Connectivity went away: stop fetching until `online`. */
  | 'offline'
  /** The app came to the foreground, got focus, or the device woke: re-check expiry at once. */
  | 'wake'
  /** The app went to the background (React Native): timers may pause. */
  | 'background'

/** Credentials as they are persisted and shared between tabs (wall-clock based: same device). */
export interface StoredCredentials {
  token: string
  endpoint?: string
  /** Local wall-clock epoch ms at which the token stops being usable. `null`: valid until rejected. */
  expiresAtWall: number | null
  /** The token's whole lifetime in ms (`exp - iat`), for the refresh lead. `null` when unknown. */
  lifetimeMs: number | null
  /** Local wall-clock epoch ms at which it was received. */
  receivedAtWall: number
  userId: string | null
  /** `true` for a self-signed anonymous token (the session's `anonymous` status). */
  anonymous?: boolean
}

/**
 * The stored form of `value`, or `undefined` when it lacks the fields keyway relies on
 * (`token`, `receivedAtWall`, `expiresAtWall`): storage and messages are never trusted, and
 * anything else reads as nothing stored. Only the stored fields are kept (whatever else it
 * carries, a provider's refresh token by mistake, never reaches storage or another tab), with
 * `endpoint` and `anonymous` left out when they say nothing, and `lifetimeMs` and `userId`
 * `null` unless they have their type. The session writes what this returns, and reads
 * storage and other tabs through it.
 *
 * @example
 * ```ts
 * const stored = toStoredCredentials(JSON.parse(text))
 * if (stored) useIt(stored)
 * ```
 */
export function toStoredCredentials(value: unknown): StoredCredentials | undefined {
  const v = value as Partial<StoredCredentials> | null
  if (
    typeof v !== 'object' ||
    !v ||
    typeof v.token !== 'string' ||
    typeof v.receivedAtWall !== 'number' ||
    (v.expiresAtWall !== null && typeof v.expiresAtWall !== 'number')
  )
    return undefined
  const { token, endpoint, expiresAtWall, lifetimeMs, receivedAtWall, userId, anonymous } = v
  return {
    token,
    ...(typeof endpoint === 'string' ? { endpoint } : {}),
    expiresAtWall,
    lifetimeMs: typeof lifetimeMs === 'number' ? lifetimeMs : null,
    receivedAtWall,
    userId: typeof userId === 'string' ? userId : null,
    ...(anonymous === true ? { anonymous } : {}),
  }
}

/** Async key-value storage for credentials (IndexedDB, secure storage, memory). */
export interface CredentialStorage {
  get(key: string): Promise<StoredCredentials | undefined>
  set(key: string, value: StoredCredentials): Promise<void>
  delete(key: string): Promise<void>
}

/** A message from one tab's session to the others. */
export type CrossTabMessage =
  | { type: 'credentials'; credentials: StoredCredentials }
  | { type: 'signedOut' }

/** Result of {@link CrossTab.withLock}. */
export type LockResult<T> = { acquired: true; value: T } | { acquired: false }

/**
 * Cross-tab coordination: one tab fetches, the others receive the result.
 * The browser implements it with Web Locks + BroadcastChannel.
 */
export interface CrossTab {
  /**
   * Runs `task` while holding the refresh lock for `key`. Waits at most `waitMs` for the
   * lock; when it could not be taken in time resolves `{ acquired: false }` without
   * running `task`.
   */
  withLock<T>(
    key: string,
    task: () => Promise<T>,
    options: { waitMs: number },
  ): Promise<LockResult<T>>
  /** Sends to every other tab listening on `key` (not to this one). */
  post(key: string, message: CrossTabMessage): void
  /** Receives what other tabs post on `key`. Returns the unsubscribe function. */
  listen(key: string, onMessage: (message: CrossTabMessage) => void): () => void
}

/** Where keyway writes debug lines and warnings. Tokens never reach it. */
export interface Logger {
  debug(message: string): void
  warn(message: string): void
}

/**
 * Everything the session needs from its host, injected so that time, storage and tabs
 * can be faked in tests and swapped per runtime (browser, React Native, Node).
 */
export interface Platform {
  /** Monotonic milliseconds (does not jump when the wall clock is changed). */
  now(): number
  /** Wall-clock epoch milliseconds. */
  wallNow(): number
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  /** Uniform random number in [0, 1), for jitter. */
  random(): number
  /** `false` when the host knows it is offline. */
  isOnline(): boolean
  /** Subscribes to host signals. Returns the unsubscribe function. */
  subscribe(listener: (event: PlatformEvent) => void): () => void
  /** Persistent credential storage; absent = memory only. */
  storage?: CredentialStorage
  /** Cross-tab coordination; absent = this session fetches on its own. */
  crossTab?: CrossTab
  logger: Logger
}

const silentLogger: Logger = {
  debug() {},
  warn(message) {
    globalThis.console?.warn(`[keyway] ${message}`)
  },
}

/**
 * A platform that works anywhere (Node, browsers, workers) without touching `window`
 * at import time: monotonic time from `performance.now()`, no storage, no tabs, and
 * no host signals. `@keyway/browser` and `@keyway/react-native` give richer ones.
 *
 * @example
 * ```ts
 * const session = createSession({ connector, platform: defaultPlatform({ logger: console }) })
 * ```
 */
export function defaultPlatform(overrides: Partial<Platform> = {}): Platform {
  const perf = globalThis.performance
  return {
    now: () => (perf ? perf.now() : Date.now()),
    wallNow: () => Date.now(),
    setTimeout: (cb, ms) => {
      const timer = globalThis.setTimeout(cb, ms)
      // Node: the session's timers never keep a script alive; its own work does.
      ;(timer as { unref?: () => void }).unref?.()
      return timer
    },
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
    random: Math.random,
    isOnline: () => true,
    subscribe: () => () => {},
    logger: silentLogger,
    ...overrides,
  }
}
