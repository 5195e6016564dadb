import { KeywayError } from '@keyway/core'

/**
 * Maps what a SuperTokens refresh threw to a KeywayError: supertokens-website throws the
 * refresh endpoint's `Response` for a status other than 2xx and 401 (a 401 ends the session),
 * and `fetch`'s own error when the API could not be reached.
 *
 * - a rejected `fetch` (`TypeError`, `NetworkError`) → `ERR_NETWORK`, transient;
 * - a `Response` 429 → `ERR_PROVIDER`, transient, `retryAfterMs` from its `Retry-After`;
 * - a `Response` 401 or 403 → `ERR_REVOKED`, final;
 * - any other status, anything else → `ERR_PROVIDER`, transient.
 *
 * @example
 * ```ts
 * const error = toKeywaySuperTokensError(new Response(null, { status: 503 }))
 * error.code // 'ERR_PROVIDER'
 * ```
 */
export function toKeywaySuperTokensError(error: unknown): KeywayError {
  if ((error as { name?: unknown } | null)?.name === 'NetworkError' || error instanceof TypeError)
    return new KeywayError('ERR_NETWORK', 'The SuperTokens API could not be reached', {
      cause: error,
    })
  // Matched by shape, not `instanceof Response`: the SDK may run on another realm's fetch.
  const response = error as Partial<Pick<Response, 'status' | 'headers'>> | null
  if (typeof response?.status === 'number' && typeof response.headers?.get === 'function') {
    const status = response.status
    const seconds = Number(response.headers.get('retry-after'))
    if (status === 401 || status === 403)
      return new KeywayError('ERR_REVOKED', `SuperTokens ended the session (${status})`, {
        transient: false,
        cause: error,
      })
    return new KeywayError('ERR_PROVIDER', `SuperTokens refresh failed (${status})`, {
      cause: error,
      retryAfterMs: status === 429 && seconds > 0 ? seconds * 1000 : undefined,
    })
  }
  return new KeywayError('ERR_PROVIDER', 'SuperTokens failed', { cause: error })
}
