import { KeywayError } from '@keyway/core'

/** Auth0 needs the user at the login page again: nobody is signed in (answered as `null`). */
export const SIGNED_OUT_ERRORS: ReadonlySet<string> = new Set([
  'login_required',
  'consent_required',
  'interaction_required',
])

/** The session is over for good: the refresh token is revoked, rotated away or gone, or the user blocked. */
const REVOKED = new Set(['invalid_grant', 'missing_refresh_token', 'access_denied'])

/** Faults of the app's setup or a required user step: retrying cannot help. */
const SETUP = new Set([
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_request',
  'missing_scopes',
  'mfa_required',
])

/**
 * Maps what auth0-spa-js throws to a KeywayError. Errors carry the OAuth `error` code
 * (`GenericError` and subclasses); a failed `fetch` carries none.
 *
 * | auth0-spa-js | KeywayError |
 * |---|---|
 * | `invalid_grant` (revoked, reused or expired refresh token; blocked user), `missing_refresh_token`, `access_denied` | `ERR_REVOKED`, final |
 * | `invalid_client`, `unauthorized_client`, `invalid_scope`, `invalid_request`, `missing_scopes`, `mfa_required` | `ERR_PROVIDER`, final |
 * | `timeout`, or the SDK's "Timeout when executing 'fetch'" | `ERR_TIMEOUT`, transient |
 * | a `TypeError` / `NetworkError` from `fetch` (Auth0 unreachable after the SDK's 3 tries) | `ERR_NETWORK`, transient |
 * | anything else (`too_many_requests`, `server_error`, a 5xx) | `ERR_PROVIDER`, transient |
 *
 * @example
 * ```ts
 * try {
 *   await auth0.getTokenSilently()
 * } catch (e) {
 *   if (!toKeywayAuth0Error(e).transient) await auth0.loginWithRedirect()
 * }
 * ```
 */
export function toKeywayAuth0Error(error: unknown): KeywayError {
  const e = error as { error?: unknown; message?: unknown } | undefined
  const code = typeof e?.error === 'string' ? e.error : undefined
  if (code && (REVOKED.has(code) || SIGNED_OUT_ERRORS.has(code)))
    return new KeywayError('ERR_REVOKED', `Auth0 ended the session (${code})`, {
      transient: false,
      cause: error,
    })
  if (code && SETUP.has(code))
    return new KeywayError('ERR_PROVIDER', `Auth0 refused the request (${code})`, {
      transient: false,
      cause: error,
    })
  if (code === 'timeout' || (typeof e?.message === 'string' && /^Timeout when/.test(e.message)))
    return new KeywayError('ERR_TIMEOUT', 'Auth0 did not answer in time', { cause: error })
  // Browsers reject fetch with a TypeError; some DOM implementations with a NetworkError.
  if (error instanceof TypeError || (error as { name?: unknown })?.name === 'NetworkError')
    return new KeywayError('ERR_NETWORK', 'Auth0 could not be reached', { cause: error })
  return new KeywayError('ERR_PROVIDER', `Auth0 failed${code ? ` (${code})` : ''}`, {
    cause: error,
  })
}
