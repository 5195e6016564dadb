import { KeywayError } from '@keyway/core'

/** Supabase Auth says the session is over: the refresh token can never work again. */
const REVOKED = new Set([
  'refresh_token_not_found',
  'refresh_token_already_used',
  'session_not_found',
  'session_expired',
  'user_not_found',
  'user_banned',
])

/**
 * Maps a supabase-js auth error to a KeywayError, by the table in docs/errors.md:
 *
 * | supabase-js | KeywayError |
 * |---|---|
 * | `AuthRetryableFetchError` status 0 (not reached) | `ERR_NETWORK`, transient |
 * | `AuthRetryableFetchError` 5xx, any 408 / 429 (`over_request_rate_limit`) | `ERR_PROVIDER`, transient |
 * | a dead refresh token or user (`refresh_token_already_used`, `user_banned`, …; a 400 without code from older servers) | `ERR_REVOKED`, final |
 * | `AuthApiError`, any other 4xx (the app's setup) | `ERR_PROVIDER`, final |
 * | anything else | `ERR_PROVIDER`, transient |
 *
 * @example
 * ```ts
 * const { error } = await supabase.auth.refreshSession()
 * if (error && !toKeywaySupabaseError(error).transient) showSignIn()
 * ```
 */
export function toKeywaySupabaseError(error: unknown): KeywayError {
  const e = error as { name?: string; code?: string; status?: number } | undefined
  const what = e?.code || e?.status
  const detail = what ? ` (${what})` : ''
  if (e?.name === 'AuthRetryableFetchError' && !e.status)
    return new KeywayError('ERR_NETWORK', 'Supabase Auth could not be reached', { cause: error })
  if (
    (e?.code && REVOKED.has(e.code)) ||
    (e?.name === 'AuthApiError' && e.status === 400 && !e.code)
  )
    return new KeywayError('ERR_REVOKED', `Supabase ended the session${detail}`, {
      transient: false,
      cause: error,
    })
  // Only an API answer can be a setup fault; a missing status compares false.
  const status = e?.name === 'AuthApiError' ? (e.status ?? 0) : 0
  const setup = status >= 400 && status < 500 && status !== 408 && status !== 429
  return new KeywayError('ERR_PROVIDER', `Supabase Auth failed${detail}`, {
    transient: !setup,
    cause: error,
  })
}
