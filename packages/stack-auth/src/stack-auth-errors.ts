import { KeywayError } from '@keyway/core'

/** What a failed call carries down its `cause` chain: an HTTP status, or a failed `fetch`. */
function rootOf(error: unknown): { status?: number; network?: true; retryAfter?: string | null } {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    // A Stack Auth known error, or the API's Response the SDK put in `cause`.
    const { statusCode, status, headers } = e as {
      statusCode?: unknown
      status?: unknown
      headers?: { get?(name: string): string | null }
    }
    if (typeof statusCode === 'number') return { status: statusCode }
    if (typeof status === 'number') return { status, retryAfter: headers?.get?.('retry-after') }
    if (e instanceof TypeError) return { network: true }
    e = (e as { cause?: unknown }).cause
  }
  return {}
}

/**
 * Maps what `@stackframe/js` rejected with, after its own tries, to a KeywayError. The SDK
 * wraps failures: a `RetryError` (an `AggregateError`) whose `cause` is the last try's error,
 * itself wrapped in "unable to connect" or "You are offline" errors; a refused refresh token
 * is no error (it answers `null`). The mapper walks the `cause` chain:
 *
 * - a rejected `fetch` (`TypeError`) → `ERR_NETWORK`, transient;
 * - the API's `Response` or a known error: 429, 408 and 5xx → `ERR_PROVIDER`, transient
 *   (`Retry-After` kept); other 4xx (a bad project id or publishable key) → `ERR_PROVIDER`, final;
 * - anything else → `ERR_PROVIDER`, transient.
 *
 * @example
 * ```ts
 * const error = toKeywayStackAuthError(new Error('offline', { cause: new TypeError('fetch failed') }))
 * error.code // 'ERR_NETWORK'
 * ```
 */
export function toKeywayStackAuthError(error: unknown): KeywayError {
  const { status, network, retryAfter } = rootOf(error)
  if (network)
    return new KeywayError('ERR_NETWORK', 'Stack Auth could not be reached', { cause: error })
  const transient = status === undefined || status >= 500 || status === 429 || status === 408
  const seconds = Number(retryAfter ?? Number.NaN)
  return new KeywayError('ERR_PROVIDER', `Stack Auth failed (${status ?? 'no status'})`, {
    transient,
    cause: error,
    ...(seconds >= 0 && { retryAfterMs: seconds * 1000 }),
  })
}
