import { KeywayError } from '@keyway/core'

/** A failed `SdkResponse` of core-js-sdk: `{ ok: false, code: <HTTP status>, error }`. */
interface DescopeFailure {
  ok?: unknown
  code?: unknown
  error?: { errorCode?: string; retryAfter?: number }
}

/**
 * Maps a failed Descope `refresh()` to a KeywayError: either the `{ ok: false, code, error }`
 * answer core-js-sdk resolves with for an HTTP error, or what it rejects with when `fetch`
 * fails.
 *
 * - a rejected `fetch` (`TypeError`, `NetworkError`) → `ERR_NETWORK`, transient;
 * - 429 → `ERR_PROVIDER`, transient, with `retryAfterMs` from Descope's `Retry-After`;
 * - 5xx (and anything without a status) → `ERR_PROVIDER`, transient;
 * - any other 4xx (401 `E061301`: the refresh JWT is invalid, expired or revoked) → `ERR_REVOKED`,
 *   final.
 *
 * @example
 * ```ts
 * const res = await sdk.refresh()
 * if (!res.ok) throw toKeywayDescopeError(res)
 * ```
 */
export function toKeywayDescopeError(failure: unknown): KeywayError {
  const f = (failure ?? {}) as DescopeFailure & { name?: unknown }
  if (f.name === 'NetworkError' || failure instanceof TypeError)
    return new KeywayError('ERR_NETWORK', 'Descope could not be reached', { cause: failure })
  const status = typeof f.code === 'number' ? f.code : undefined
  const detail = `${status ?? 'no status'}${f.error?.errorCode ? ` ${f.error.errorCode}` : ''}`
  if (status === 429)
    return new KeywayError('ERR_PROVIDER', `Descope rate-limited the refresh (${detail})`, {
      cause: failure,
      retryAfterMs: f.error?.retryAfter ? f.error.retryAfter * 1000 : undefined,
    })
  if (status !== undefined && status >= 400 && status < 500)
    return new KeywayError('ERR_REVOKED', `Descope ended the session (${detail})`, {
      transient: false,
      cause: failure,
    })
  return new KeywayError('ERR_PROVIDER', `Descope failed (${detail})`, { cause: failure })
}
