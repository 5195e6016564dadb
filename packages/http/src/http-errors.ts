import { KeywayError } from '@keyway/core'
import { parseRetryAfter } from './retry-after.js'

/**
 * Maps a failed call to the app's token endpoint to a KeywayError, by the table in
 * docs/errors.md: a `Response` that is not ok by its status (401 / 403 never reach it: the
 * connector answers `null`), anything thrown by `fetch` as a network failure.
 *
 * | endpoint | KeywayError |
 * |---|---|
 * | `fetch` threw (`TypeError`, a dropped socket) | `ERR_NETWORK`, transient |
 * | 408, 429, 5xx | `ERR_PROVIDER`, transient, `retryAfterMs` from `Retry-After` |
 * | any other 4xx | `ERR_PROVIDER`, final |
 *
 * @example
 * ```ts
 * const res = await fetch('/api/token', { method: 'POST' })
 * if (!res.ok) throw toKeywayHttpError(res)
 * ```
 */
export function toKeywayHttpError(failure: unknown): KeywayError {
  if (!(failure instanceof Response)) {
    if (failure instanceof TypeError || (failure as { name?: unknown })?.name === 'NetworkError')
      return new KeywayError('ERR_NETWORK', 'The token endpoint could not be reached', {
        cause: failure,
      })
    return new KeywayError('ERR_PROVIDER', 'The token request failed', { cause: failure })
  }
  const { status } = failure
  const retryAfterMs = parseRetryAfter(failure.headers.get('retry-after'))
  return new KeywayError('ERR_PROVIDER', `The token endpoint answered ${status}`, {
    transient: status === 429 || status === 408 || status >= 500,
    response: failure,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  })
}
