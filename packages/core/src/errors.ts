/**
 * Every failure keyway reports is a {@link KeywayError} with one of these codes.
 * Match on `code`, not only on `instanceof`: two copies of `@keyway/core` may be installed.
 */
export type KeywayErrorCode =
  /** Nobody is signed in (the connector answered `null`). */
  | 'ERR_SIGNED_OUT'
  /** The network failed or the provider could not be reached. Transient. */
  | 'ERR_NETWORK'
  /** The device is offline; keyway waits for `online`. Transient. */
  | 'ERR_OFFLINE'
  /** A connector call did not settle within the fetch timeout. Transient. */
  | 'ERR_TIMEOUT'
  /** keyway held back a connector call: the per-minute call budget is spent. Transient. */
  | 'ERR_RATE_LIMITED'
  /** The backend rejected the token twice without a new one arriving. Retried with backoff. */
  | 'ERR_REJECTED'
  /** The provider answered with an error (5xx, 429, revoked session…). See `transient`. */
  | 'ERR_PROVIDER'
  /** The provider said the user's session is over for good (revoked, disabled). Final. */
  | 'ERR_REVOKED'
  /** A string that should be a JWT is not one. */
  | 'ERR_MALFORMED_TOKEN'
  /** keyway was set up wrongly (a bad option, a missing platform feature). */
  | 'ERR_CONFIG'
  /** The session was disposed while the call was waiting. */
  | 'ERR_DISPOSED'
  /** A call was aborted through its signal. */
  | 'ERR_ABORTED'
  /** Server side: the token failed verification (signature, claims, key). */
  | 'ERR_INVALID_TOKEN'
  /** Server side: the token is expired. */
  | 'ERR_TOKEN_EXPIRED'
  /** Anonymous identity or upgrade failed (link proof, nonce, conflict). */
  | 'ERR_LINK'
  /** Storage (IndexedDB, secure storage) failed; keyway fell back to memory. */
  | 'ERR_STORAGE'

export interface KeywayErrorOptions {
  /** `true` when trying again later may succeed (network, 5xx, rate limit). Defaults per code. */
  transient?: boolean
  /** The original error. */
  cause?: unknown
  /** Milliseconds the provider asked us to wait (`Retry-After`). */
  retryAfterMs?: number
  /** The HTTP response behind the error; kept non-enumerable so it stays out of logs. */
  response?: Response
}

const TRANSIENT_BY_DEFAULT: ReadonlySet<KeywayErrorCode> = new Set([
  'ERR_NETWORK',
  'ERR_OFFLINE',
  'ERR_TIMEOUT',
  'ERR_RATE_LIMITED',
  'ERR_REJECTED',
  'ERR_PROVIDER',
])

/**
 * The one error class of keyway. `code` says what happened, `transient` says whether
 * keyway (or you) should try again.
 *
 * @example
 * ```ts
 * try {
 *   await session.getToken()
 * } catch (e) {
 *   if (isKeywayError(e, 'ERR_SIGNED_OUT')) showSignIn()
 * }
 * ```
 */
export class KeywayError extends Error {
  // Declared, not initialised fields: the constructor sets them (and an ES2022 class field
  // would be emitted as code for each).
  declare readonly code: KeywayErrorCode
  declare readonly transient: boolean
  declare readonly retryAfterMs: number | undefined
  declare readonly response: Response | undefined

  constructor(code: KeywayErrorCode, message: string, options: KeywayErrorOptions = {}) {
    // Error reads only `cause` from its options, and only when the key is there.
    super(message, options)
    Object.assign(this, {
      name: 'KeywayError',
      code,
      transient: options.transient ?? TRANSIENT_BY_DEFAULT.has(code),
      retryAfterMs: options.retryAfterMs,
    })
    Object.defineProperty(this, 'response', { value: options.response })
  }
}

/**
 * True for a {@link KeywayError}, also one from another copy of `@keyway/core`
 * (matched by `name` and `code`). With `code`, only for that code.
 */
export function isKeywayError(value: unknown, code?: KeywayErrorCode): value is KeywayError {
  const e = value as { name?: unknown; code?: unknown } | null | undefined
  return (
    (value instanceof KeywayError ||
      (typeof e === 'object' && e?.name === 'KeywayError' && typeof e.code === 'string')) &&
    (code === undefined || e!.code === code)
  )
}

/**
 * Turns anything a connector threw into a KeywayError. A plain `Error` or a non-Error
 * value is a transient provider fault: only an explicit `transient: false` is final.
 */
export function toKeywayError(value: unknown): KeywayError {
  if (isKeywayError(value)) return value
  if (typeof value === 'object' && value !== null && (value as Error).name === 'AbortError')
    return new KeywayError('ERR_ABORTED', 'The call was aborted', { cause: value })
  if (value instanceof TypeError)
    return new KeywayError('ERR_NETWORK', 'The provider could not be reached', { cause: value })
  return new KeywayError('ERR_PROVIDER', 'The connector failed', { cause: value })
}
