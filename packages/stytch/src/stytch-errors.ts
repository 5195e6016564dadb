import { KeywayError } from '@keyway/core'

/**
 * vanilla-js's `UNRECOVERABLE_ERROR_TYPES`: the session is over, and the SDK clears it.
 */
const FINAL = [
  'unauthorized_credentials',
  'user_unauthenticated',
  'invalid_secret_authentication',
  'session_not_found',
]

/**
 * Maps an error from Stytch's `session.authenticate()` to a KeywayError. Matched by `name` and
 * `error_type`, not by class, so a second copy of vanilla-js maps the same.
 *
 * - `StytchAPIUnreachableError` (no answer, or not JSON), a `TypeError` or `NetworkError` from
 *   `fetch` → `ERR_NETWORK`, transient;
 * - `StytchAPIError` of an unrecoverable type (`unauthorized_credentials`, `session_not_found`,
 *   …) → `ERR_REVOKED`, final;
 * - any other API error (429 `too_many_requests`, 5xx) → `ERR_PROVIDER`, transient.
 *
 * @example
 * ```ts
 * const error = toKeywayStytchError({ name: 'StytchAPIError', status_code: 429, error_type: 'too_many_requests' })
 * error.code // 'ERR_PROVIDER'
 * ```
 */
export function toKeywayStytchError(error: unknown): KeywayError {
  const e = (error ?? {}) as { name?: unknown; error_type?: unknown; status_code?: unknown }
  // Browsers reject fetch with a TypeError ("Failed to fetch", which vanilla-js wraps, "Load
  // failed", "NetworkError when…"); DOM implementations such as happy-dom with a `NetworkError`.
  if (
    e.name === 'StytchAPIUnreachableError' ||
    e.name === 'NetworkError' ||
    error instanceof TypeError
  )
    return new KeywayError('ERR_NETWORK', 'Stytch could not be reached', { cause: error })
  const detail = `${e.status_code ?? 'no status'} ${e.error_type ?? ''}`.trim()
  if (FINAL.includes(String(e.error_type)))
    return new KeywayError('ERR_REVOKED', `Stytch ended the session (${detail})`, {
      transient: false,
      cause: error,
    })
  return new KeywayError('ERR_PROVIDER', `Stytch failed (${detail})`, { cause: error })
}
