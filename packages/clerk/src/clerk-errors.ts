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
 * Maps an error from `session.getToken()` to a KeywayError, by the table in docs/errors.md.
 * Matched by `code` and `status`, not by class name: the clerk-js bundle is minified, so
 * `error.name` is not `ClerkOfflineError`.
 *
 * | clerk-js | KeywayError |
 * |---|---|
 * | `ClerkOfflineError` (`code: 'clerk_offline'`), `network_error`, a `TypeError` from `fetch` | `ERR_NETWORK`, transient |
 * | API 401 / 403 / 404 (signed out, locked, gone) | `ERR_REVOKED`, final |
 * | API 429 | `ERR_PROVIDER`, transient, `retryAfterMs` from clerk-js's `retryAfter` |
 * | API 408, 5xx | `ERR_PROVIDER`, transient |
 * | API other 4xx (a bad template, the app's setup) | `ERR_PROVIDER`, final |
 *
 * @example
 * ```ts
 * try {
 *   await clerk.session?.getToken()
 * } catch (e) {
 *   if (toKeywayClerkError(e).code === 'ERR_NETWORK') showOfflineBanner()
 * }
 * ```
 */
export function toKeywayClerkError(error: unknown): KeywayError {
  const e = (error ?? {}) as ClerkErrorShape
  if (
    e.code === 'clerk_offline' ||
    e.constructor?.kind === 'ClerkOfflineError' ||
    e.code === 'network_error' ||
    error instanceof TypeError
  )
    return new KeywayError('ERR_NETWORK', 'Clerk could not be reached', { cause: error })
  if (typeof e.status !== 'number')
    return new KeywayError('ERR_PROVIDER', 'Clerk failed', { cause: error })
  const code = e.errors?.[0]?.code
  const detail = `${e.status}${code ? ` ${code}` : ''}`
  if (FINAL_STATUS.has(e.status))
    return new KeywayError('ERR_REVOKED', `Clerk ended the session (${detail})`, {
      transient: false,
      cause: error,
    })
  const transient = e.status === 408 || e.status === 429 || e.status >= 500
  return new KeywayError('ERR_PROVIDER', `Clerk failed (${detail})`, {
    transient,
    cause: error,
    // clerk-js parses Retry-After into seconds.
    ...(typeof e.retryAfter === 'number' && { retryAfterMs: e.retryAfter * 1000 }),
  })
}
