import type { KeywayError } from './errors.js'

/** Where a session stands. */
export type SessionStatus =
  /** Restoring or fetching the first credentials. */
  | 'initializing'
  /** The connector said nobody is signed in (`null`), or `signOut()` was called. */
  | 'signedOut'
  /** Nobody is signed in; the session hands out self-signed anonymous tokens. */
  | 'anonymous'
  /** A user is signed in; `getToken()` answers at once while the token is fresh. */
  | 'authenticated'
  /**
   * No usable token: a final provider error (`lastError.transient === false`, not retried
   * until the provider signals a change or `refresh()` is called), or a transient one that
   * is being retried with backoff. Never set by a transient fault while a token is valid.
   */
  | 'error'

export interface SessionCounters {
  /** Connector calls made. */
  fetches: number
  /** Connector calls that failed. */
  failures: number
  /** `reportRejected` calls. */
  rejections: number
}

/** The session's state; the same object until something changes (for `useSyncExternalStore`). */
export interface SessionSnapshot {
  readonly status: SessionStatus
  /** The token's `sub`; the anonymous id (`anon_…`) when anonymous. */
  readonly userId: string | null
  /** Local wall-clock epoch ms at which the current token expires; `null` when none or unknown. */
  readonly expiresAt: number | null
  /** A connector call is in flight. */
  readonly refreshing: boolean
  /**
   * Changes exactly when the token the session hands out does (a new token, a sign-out, a
   * final error): compare it to re-read `peek()` only when needed. Starts at 0.
   */
  readonly tokenVersion: number
  readonly lastError: KeywayError | null
  readonly counters: Readonly<SessionCounters>
}

/** `next`'s fields (and its counters) all equal `previous`'s. */
function sameFields(previous: object, next: object): boolean {
  const before = previous as Record<string, unknown>
  return Object.entries(next).every(([name, value]) =>
    name === 'counters' ? sameFields(before[name] as object, value) : before[name] === value,
  )
}

/** Builds a new snapshot only when a field changed, so consumers can compare by identity. */
export function nextSnapshot(
  previous: SessionSnapshot | undefined,
  next: SessionSnapshot,
): SessionSnapshot {
  if (previous && sameFields(previous, next)) return previous
  return Object.freeze({ ...next, counters: Object.freeze({ ...next.counters }) })
}
