import { KeywayError } from '@keyway/core'

/** MSAL answers that need the user at the sign-in page: nobody is signed in silently. */
export const SIGNED_OUT_ERRORS: ReadonlySet<string> = new Set([
  'no_tokens_found',
  'login_required',
  'interaction_required',
  'consent_required',
  'refresh_token_expired',
  'no_account_error',
])

/** MSAL's codes for a token request that got no answer. */
const NETWORK = new Set(['post_request_failed', 'no_network_connectivity', 'get_request_failed'])

interface MsalErrorShape {
  name?: unknown
  errorCode?: unknown
  status?: unknown
  httpStatus?: unknown
  responseHeaders?: Record<string, string>
}

/**
 * Maps what MSAL's `acquireTokenSilent` throws to a KeywayError, by the table in
 * docs/errors.md. Matched by `name` and `errorCode`, so a second copy of MSAL maps the same.
 *
 * | MSAL | KeywayError |
 * |---|---|
 * | `NetworkError` (`post_request_failed`, `no_network_connectivity`), a `TypeError` | `ERR_NETWORK`, transient |
 * | `BrowserAuthError` `timed_out` | `ERR_TIMEOUT`, transient |
 * | `ServerError` 408, 429, 5xx; a `NetworkError` with such an `httpStatus` | `ERR_PROVIDER`, transient (`retryAfterMs` from `Retry-After` when MSAL kept the headers) |
 * | `ServerError` `invalid_grant`; `InteractionRequiredAuthError` (`bad_token`, …) | `ERR_REVOKED`, final |
 * | `ServerError` other 4xx (`invalid_client`, `invalid_scope`: the app's registration) | `ERR_PROVIDER`, final |
 * | anything else | `ERR_PROVIDER`, transient |
 *
 * @example
 * ```ts
 * await msal.acquireTokenSilent({ scopes, account }).catch((e) => {
 *   if (!toKeywayEntraError(e).transient) return msal.loginRedirect({ scopes })
 * })
 * ```
 */
export function toKeywayEntraError(error: unknown): KeywayError {
  const e = (error ?? {}) as MsalErrorShape
  const code = typeof e.errorCode === 'string' ? e.errorCode : undefined
  const status = typeof e.status === 'number' ? e.status : (e.httpStatus as number | undefined)
  const detail = `${code ?? 'error'}${status ? ` ${status}` : ''}`
  if (code === 'timed_out')
    return new KeywayError('ERR_TIMEOUT', 'Entra ID did not answer in time', { cause: error })
  const unreached = e.name === 'NetworkError' || (code !== undefined && NETWORK.has(code))
  if (status === undefined && (unreached || error instanceof TypeError))
    return new KeywayError('ERR_NETWORK', 'Entra ID could not be reached', { cause: error })
  if (code === 'invalid_grant' || e.name === 'InteractionRequiredAuthError')
    return new KeywayError('ERR_REVOKED', `Entra ID ended the session (${detail})`, {
      transient: false,
      cause: error,
    })
  const retryAfter = e.responseHeaders?.['retry-after']
  const setup =
    status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429
  return new KeywayError('ERR_PROVIDER', `Entra ID failed (${detail})`, {
    transient: !setup,
    cause: error,
    ...(retryAfter && /^\d+$/.test(retryAfter) && { retryAfterMs: Number(retryAfter) * 1000 }),
  })
}
