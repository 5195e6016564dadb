import { KeywayError } from '@keyway/core'

/**
 * Maps what `getAuthenticationInfoOrNull()` rejected with (after the client's own three
 * retries) to a KeywayError. @propelauth/javascript rejects with a plain `{ status, message }`
 * for an HTTP error (a 401 is no error: it answers `null`), and with `fetch`'s own error when
 * the auth domain cannot be reached.
 *
 * - a rejected `fetch` (`TypeError`, `NetworkError`) → `ERR_NETWORK`, transient;
 * - `{ status: 403 }` (a locked or disabled user) → `ERR_REVOKED`, final;
 * - any other status (429, 5xx, and the 503 it reports for a CORS failure) → `ERR_PROVIDER`,
 *   transient (the client keeps no `Retry-After`).
 *
 * @example
 * ```ts
 * const error = toKeywayPropelAuthError({ status: 503, message: 'Service Unavailable' })
 * error.code // 'ERR_PROVIDER'
 * ```
 */
export function toKeywayPropelAuthError(error: unknown): KeywayError {
  const e = (error ?? {}) as { name?: unknown; status?: unknown }
  if (e.name === 'NetworkError' || error instanceof TypeError)
    return new KeywayError('ERR_NETWORK', 'PropelAuth could not be reached', { cause: error })
  if (e.status === 403)
    return new KeywayError('ERR_REVOKED', 'PropelAuth ended the session (403)', {
      transient: false,
      cause: error,
    })
  return new KeywayError('ERR_PROVIDER', `PropelAuth failed (${e.status ?? 'no status'})`, {
    cause: error,
  })
}
