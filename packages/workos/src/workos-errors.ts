import { KeywayError } from '@keyway/core'

interface AuthKitErrorShape {
  name?: unknown
  status?: unknown
  isTransient?: unknown
  error?: unknown
}

/**
 * Maps an error from AuthKit's `getAccessToken()` to a KeywayError, by the table in
 * docs/errors.md (`LoginRequiredError` never reaches it: the connector answers `null`).
 * Matched by `name`, which AuthKit sets on its refresh errors, so a second copy of
 * authkit-js maps the same.
 *
 * | authkit-js | KeywayError |
 * |---|---|
 * | a failed `fetch` (`TypeError`, `NetworkError`) | `ERR_NETWORK`, transient |
 * | `RefreshTimeoutError` (the cross-tab refresh lock timed out) | `ERR_TIMEOUT`, transient |
 * | `RefreshError` 408, 429, 5xx (`isTransient`), or without a status | `ERR_PROVIDER`, transient |
 * | `RefreshError` `invalid_client`, `unauthorized_client` (the app's setup) | `ERR_PROVIDER`, final |
 * | `RefreshError` any other status (`invalid_grant`: the session ended) | `ERR_REVOKED`, final |
 *
 * @example
 * ```ts
 * const error = toKeywayWorkOSError(new TypeError('Failed to fetch'))
 * error.code // 'ERR_NETWORK'
 * ```
 */
export function toKeywayWorkOSError(error: unknown): KeywayError {
  const e = (error ?? {}) as AuthKitErrorShape
  if (error instanceof TypeError || e.name === 'NetworkError')
    return new KeywayError('ERR_NETWORK', 'WorkOS could not be reached', { cause: error })
  if (e.name === 'RefreshTimeoutError')
    return new KeywayError('ERR_TIMEOUT', 'AuthKit timed out waiting for its refresh lock', {
      cause: error,
    })
  if (e.name !== 'RefreshError')
    return new KeywayError('ERR_PROVIDER', 'AuthKit failed', { cause: error })
  const status = typeof e.status === 'number' ? e.status : undefined
  if (e.isTransient === true || status === undefined)
    return new KeywayError('ERR_PROVIDER', `WorkOS refresh failed (${status ?? 'no status'})`, {
      cause: error,
    })
  const setup = e.error === 'invalid_client' || e.error === 'unauthorized_client'
  return new KeywayError(
    setup ? 'ERR_PROVIDER' : 'ERR_REVOKED',
    `WorkOS ${setup ? 'refused the app' : 'ended the session'} (${status}${e.error ? ` ${e.error}` : ''})`,
    { transient: false, cause: error },
  )
}
