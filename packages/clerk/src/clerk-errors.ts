import { KeywayError } from '@keyway/core'

interface ClerkErrorShape {
  code?: unknown
  status?: unknown
  retryAfter?: unknown
  errors?: Array<{ code?: string }>
  constructor?: { kind?: unknown }
}

/** Clerk's Frontend API said the session or user is over: 401 signed out, 403 locked, 404 gone. */
const FINAL_STATUS = new Set([401, 403, 404])

/**
 * Maps an error from `session.getToken()` to a KeywayError. Matched by `code` and `status`,
 * not by class name: the clerk-js bundle is minified, so `error.name` is not `ClerkOfflineError`.
 *
 * - `ClerkOfflineError` (`code: 'clerk_offline'`) → `ERR_OFFLINE`, transient;
 * - network failures (`code: 'network_error'`, `TypeError`) → `ERR_NETWORK`, transient;
 * - API 401 / 403 / 404 → `ERR_REVOKED`, final; 429 → `ERR_RATE_LIMITED`; others transient.
 *
 * @example
 * ```ts
 * try {
 *   await clerk.session?.getToken()
 * } catch (e) {
 *   if (toKeywayClerkError(e).code === 'ERR_OFFLINE') showOfflineBanner()
 * }
 * ```
 */
export function toKeywayClerkError(error: unknown): KeywayError {
  const e = (error ?? {}) as ClerkErrorShape
  if (e.code === 'clerk_offline' || e.constructor?.kind === 'ClerkOfflineError')
    return new KeywayError('ERR_OFFLINE', 'Clerk is offline', { cause: error })
  if (e.code === 'network_error' || error instanceof TypeError)
    return new KeywayError('ERR_NETWORK', 'Clerk could not be reached', { cause: error })
  if (typeof e.status === 'number') {
    const code = e.errors?.[0]?.code
    const detail = `${e.status}${code ? ` ${code}` : ''}`
    if (FINAL_STATUS.has(e.status))
      return new KeywayError('ERR_REVOKED', `Clerk ended the session (${detail})`, {
        transient: false,
        cause: error,
      })
    if (e.status === 429)
      return new KeywayError('ERR_RATE_LIMITED', 'Clerk rate-limited the token request', {
        cause: error,
        // clerk-js parses Retry-After into seconds.
        retryAfterMs: typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : undefined,
      })
    return new KeywayError('ERR_PROVIDER', `Clerk failed (${detail})`, { cause: error })
  }
  return new KeywayError('ERR_PROVIDER', 'Clerk failed', { cause: error })
}
