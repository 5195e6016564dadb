import type { Connector, Credentials, FetchCredentialsOptions, FetchReason } from '../contract.js'
import type { KeywayErrorCode } from '../errors.js'
import type { Platform, PlatformEvent } from '../platform.js'
import type { RefreshPolicy } from '../policy.js'
import type { SessionSnapshot } from '../snapshot.js'

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
  /**
   * Credentials the app already has (a server render, a native handoff): held at once, so the
   * first render is authenticated and nothing is fetched before their refresh point. Stored
   * credentials that expire later win.
   */
  initialCredentials?: Credentials
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
  getToken(options?: TokenOptions): Promise<string>
  /**
   * Like `getToken`, as `{ token, expiresAt, endpoint? }`, whatever the source (a fetch,
   * storage, another tab): `expiresAt` is the local wall-clock expiry, skew-corrected, absent
   * only for a token that has none. `null` when nobody is signed in.
   */
  getCredentials(options?: TokenOptions): Promise<Credentials | null>
  /**
   * The current credentials, synchronously, when they can be handed out now (fresh beyond
   * the floor); `undefined` otherwise. Never fetches.
   */
  peek(options?: TokenOptions): Credentials | undefined
  /**
   * Calls `listener` with every event of the session (fetches, failures, rejections, host
   * signals), for devtools and metrics. Returns the unsubscribe function. A listener added
   * while a token is held hears its `'scheduled'` point at once, so a tool attached late can
   * draw the schedule without waiting for the next token.
   */
  inspect(listener: (event: SessionEvent) => void): () => void
  /**
   * Tell the session a backend answered 401 for `token`. Resolves with credentials for one
   * retry (new ones, or the same token when the provider insists and it was rejected only
   * once). Rejects when there is nothing to retry with. A rejection of an old token is a no-op.
   */
  reportRejected(token: string): Promise<Credentials | null>
  /**
   * Tell the session a backend accepted `token`. It ends a chain of rejections (a new token
   * that works is not a wrong audience); `authFetch` calls it after a retry succeeds.
   */
  reportAccepted(token: string): void
  /** Fetches new credentials now (forced), within the call budget. */
  refresh(): Promise<Credentials | null>
  /** Signs out at the provider and forgets the credentials here and in every tab. */
  signOut(): Promise<void>
  /** Calls `listener` after every state change. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** The current state; the same object until something changes. */
  getSnapshot(): SessionSnapshot
  /**
   * Stops every timer, listener and call in flight, after calling each `subscribe` listener
   * one last time. The session cannot be used afterwards: `peek()`, `getToken()` and
   * `getCredentials()` throw or reject with `ERR_DISPOSED`, and so do `refresh()` and
   * `reportRejected()`, including calls still under way. A listener subscribed afterwards is
   * called once, on a microtask, so whatever waits for the next change wakes up.
   */
  dispose(): void
}

/**
 * What a session did, for tools that draw it (`@keyway/devtools`) or count it. Every event
 * carries `at`, the platform's wall-clock epoch ms. Events never carry a token.
 */
export type SessionEvent =
  /** A connector call starts. */
  | { type: 'fetch'; at: number; reason: FetchReason }
  /**
   * The session took new credentials: from the connector (`reason` and `ms`, the call's
   * duration), from storage at start-up, or from another tab.
   */
  | {
      type: 'credentials'
      at: number
      from: 'connector' | 'storage' | 'tab'
      reason?: FetchReason
      ms?: number
      userId: string | null
      /** Local wall-clock epoch ms at which the token expires; `null` = until rejected. */
      expiresAt: number | null
    }
  /** A connector call failed; `retryAt` is when the session may try again (wall ms). */
  | {
      type: 'failure'
      at: number
      reason: FetchReason
      code: KeywayErrorCode
      transient: boolean
      retryAt: number | null
    }
  /** A backend rejected a token (`reportRejected`); `current`: it was the held one. */
  | { type: 'rejection'; at: number; current: boolean }
  /** Nobody is signed in any more (the connector answered `null`, or `signOut()`). */
  | { type: 'signedOut'; at: number }
  /** A host signal reached the session: online, offline, wake, background. */
  | { type: 'host'; at: number; signal: PlatformEvent }
  /**
   * The proactive refresh of the held token is set for `refreshAt` (local wall-clock epoch
   * ms): its lead and jitter, the strictest consumer's `minValidityMs`, the minimum gap. Sent
   * when that point moves by a second or more (a new token, a stricter consumer, a clock jump).
   */
  | { type: 'scheduled'; at: number; refreshAt: number }

/** Options for `getToken` and `getCredentials`. */
export interface TokenOptions {
  /**
   * Hand out only a token with at least this much life left, in ms; a nearer expiry waits
   * for a refresh. The session then refreshes early enough for the strictest value asked
   * within the last token lifetime. Default: the session's floor (5 s).
   */
  minValidityMs?: number
}
