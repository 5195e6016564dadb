import { KeywayError } from '@keyway/core'

interface AuthKitErrorShape {
  name?: unknown
  status?: unknown
  isTransient?: unknown
}

/**
 * Maps an error from AuthKit's `getAccessToken()` to a KeywayError (`LoginRequiredError`
 * never reaches it: the connector answers `null` for it). Matched by `name`, which AuthKit
 * sets on its refresh errors, so a second copy of authkit-js maps the same.
 *
 * - `RefreshTimeoutError` (the cross-tab refresh lock timed out) → `ERR_TIMEOUT`, transient;
 * - `RefreshError` 429 → `ERR_RATE_LIMITED`; 408 / 5xx (`isTransient`) → `ERR_PROVIDER`,
 *   transient; any other status → `ERR_REVOKED`, final;
 * - a failed `fetch` (`TypeError`, `NetworkError`) → `ERR_NETWORK`, transient.
 *
 * @example
 * ```ts
 * const error = toKeywayWorkOSError(new TypeError('Failed to fetch'))
 * error.code // 'ERR_NETWORK'
 * ```
 */
export function toKeywayWorkOSError(error: unknown): KeywayError {
  const e = (error ?? {}) as AuthKitErrorShape
  if (e.name === 'RefreshTimeoutError')
    return new KeywayError('ERR_TIMEOUT', 'AuthKit timed out waiting for its refresh lock', {
      cause: error,
    })
  if (e.name === 'RefreshError') {
    const status = typeof e.status === 'number' ? e.status : undefined
    if (status === 429)
      return new KeywayError('ERR_RATE_LIMITED', 'WorkOS rate-limited the refresh', {
        cause: error,
      })
    if (e.isTransient === true || status === undefined)
      return new KeywayError('ERR_PROVIDER', `WorkOS refresh failed (${status ?? 'no status'})`, {
        cause: error,
      })
    return new KeywayError('ERR_REVOKED', `WorkOS ended the session (${status})`, {
      transient: false,
      cause: error,
    })
  }
  if (error instanceof TypeError || e.name === 'NetworkError')
    return new KeywayError('ERR_NETWORK', 'WorkOS could not be reached', { cause: error })
  return new KeywayError('ERR_PROVIDER', 'AuthKit failed', { cause: error })
}
