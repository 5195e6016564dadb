/**
 * What a connector hands to keyway: the JWT a backend verifies, and optionally where to
 * send it and when it expires.
 */
export interface Credentials {
  /** The JWT the backend verifies against the provider's JWKS. */
  token: string
  /** Backend URL, when the app gets it from its auth backend (PowerSync style). */
  endpoint?: string
  /**
   * Expiry in epoch milliseconds on the local clock. When absent, keyway reads the JWT's
   * `exp` (and `iat`, to measure the lifetime without trusting the local clock).
   */
  expiresAt?: number
}

/** Why keyway is asking the connector for credentials. */
export type FetchReason =
  /** The session starts (or restarts after sign-out) and has no credentials yet. */
  | 'initial'
  /** The current token is close to expiry. */
  | 'proactive'
  /** A backend rejected the current token (`reportRejected`). */
  | 'rejected'
  /** The device woke up (visibility, focus, a late timer) and the token is near or past expiry. */
  | 'wake'
  /** The app called `session.refresh()`. */
  | 'manual'
  /** The connector's `subscribe` said the provider's user changed (sign-in, sign-out, switch). */
  | 'changed'

export interface FetchCredentialsOptions {
  /**
   * Bypass the provider SDK's own token cache and mint a new token. keyway sets it for
   * every reason except `initial` and `changed`, so a proactive refresh really renews.
   */
  forceRefresh: boolean
  /** Why this fetch happens; useful for logging and for connectors that treat reasons differently. */
  reason: FetchReason
  /** Aborted when the fetch times out (15 s by default) or the session is disposed. */
  signal: AbortSignal
}

/**
 * The one contract between keyway and an auth provider.
 *
 * - Resolve with `Credentials` when a user is signed in.
 * - Resolve with `null` when nobody is signed in. This is a real answer: the session
 *   becomes `signedOut` (or `anonymous`, when anonymous identity is on).
 * - Throw when you could not answer now (network, 5xx, rate limit): keyway keeps the
 *   current token, and retries with backoff. A plain `Error` counts as transient.
 * - Throw a `KeywayError` with `transient: false` for a final answer (a revoked refresh
 *   token, a disabled account): the session stops serving the token and becomes `error`.
 *
 * @example
 * ```ts
 * const connector = {
 *   id: 'my-backend',
 *   async fetchCredentials({ forceRefresh, signal }) {
 *     const res = await fetch('/api/token', { method: 'POST', signal })
 *     if (res.status === 401) return null
 *     if (!res.ok) throw new Error(`token endpoint answered ${res.status}`)
 *     return await res.json()
 *   },
 * } satisfies Connector
 * ```
 */
export interface Connector {
  /** A stable id, `^[a-z][a-z0-9-]*$` (`my-idp`, `my-backend`). Keys storage and tabs. */
  readonly id: string
  /** See the interface description for what `null` and a throw mean. */
  fetchCredentials(options: FetchCredentialsOptions): Promise<Credentials | null>
  /**
   * Call `onChange` whenever the provider may have signed a user in or out or switched user,
   * with the provider's current user: the id its tokens carry in `sub`, `null` when nobody
   * is signed in. The session compares it with the user of the token it holds (fetched,
   * restored or from another tab): the same user is no change, so a provider's first event
   * and its routine polls cost nothing. A different user, or no argument (unknown), drops the
   * current token (it is never handed out again) and fetches anew. A provider poll that
   * failed (network, 5xx) says nothing about the user: do not call `onChange` for it.
   * Returns the unsubscribe function.
   */
  subscribe?(onChange: (userId?: string | null) => void): () => void
  /** Sign out at the provider. `session.signOut()` calls it. */
  signOut?(): Promise<void>
}

/** The connector `id` pattern, pinned by the conformance suite. */
export const CONNECTOR_ID_PATTERN: RegExp = /^[a-z][a-z0-9-]*$/
