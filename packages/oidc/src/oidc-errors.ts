import { KeywayError } from '@keyway/core'

/** OAuth errors that mean nobody is signed in at the provider any more (silent iframe renew). */
export const SIGNED_OUT_ERRORS: ReadonlySet<string> = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
])

/** OAuth errors worth retrying: the server says so (RFC 6749 §4.1.2.1, RFC 8628 `slow_down`). */
const TRANSIENT_ERRORS = new Set(['server_error', 'temporarily_unavailable', 'slow_down'])

/**
 * Maps what oidc-client-ts throws to a KeywayError:
 *
 * | oidc-client-ts | KeywayError |
 * |---|---|
 * | `ErrorResponse` `invalid_grant` (refresh token revoked, expired, reused; user gone) | `ERR_REVOKED`, final |
 * | `ErrorResponse` `server_error`, `temporarily_unavailable`, `slow_down` | `ERR_PROVIDER`, transient |
 * | other `ErrorResponse` (`invalid_client`, `invalid_scope`, …): a setup fault | `ERR_PROVIDER`, final |
 * | `ErrorTimeout` | `ERR_TIMEOUT`, transient |
 * | `TypeError` / `NetworkError` from `fetch` (provider unreachable) | `ERR_NETWORK`, transient |
 * | anything else (5xx without a JSON body, bad content type) | `ERR_PROVIDER`, transient |
 *
 * @example
 * ```ts
 * try {
 *   await userManager.signinSilent()
 * } catch (e) {
 *   const error = toKeywayOidcError(e)
 *   if (!error.transient) await userManager.removeUser()
 * }
 * ```
 */
export function toKeywayOidcError(error: unknown): KeywayError {
  const e = error as { name?: string; error?: string } | undefined
  if (e?.name === 'ErrorResponse' && typeof e.error === 'string') {
    if (e.error === 'invalid_grant' || SIGNED_OUT_ERRORS.has(e.error))
      return new KeywayError('ERR_REVOKED', `The OIDC provider ended the session (${e.error})`, {
        transient: false,
        cause: error,
      })
    const transient = TRANSIENT_ERRORS.has(e.error)
    return new KeywayError('ERR_PROVIDER', `The OIDC provider answered ${e.error}`, {
      transient,
      cause: error,
    })
  }
  if (e?.name === 'ErrorTimeout')
    return new KeywayError('ERR_TIMEOUT', 'The OIDC provider did not answer in time', {
      cause: error,
    })
  // Browsers reject fetch with a TypeError; some DOM implementations with a NetworkError.
  if (error instanceof TypeError || (error as { name?: unknown })?.name === 'NetworkError')
    return new KeywayError('ERR_NETWORK', 'The OIDC provider could not be reached', {
      cause: error,
    })
  return new KeywayError('ERR_PROVIDER', 'The OIDC provider failed', { cause: error })
}
