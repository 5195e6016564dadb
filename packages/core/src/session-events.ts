import type { FetchReason } from './contract.js'
import type { KeywayErrorCode } from './errors.js'
import type { PlatformEvent } from './platform.js'

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

/** Options for `getToken` and `getCredentials`. */
export interface TokenOptions {
  /**
   * Hand out only a token with at least this much life left, in ms; a nearer expiry waits
   * for a refresh. The session then refreshes early enough for the strictest value asked
   * within the last token lifetime. Default: the session's floor (5 s).
   */
  minValidityMs?: number
}
