import { KeywayError } from '@keyway/core'

/** Supabase Auth says the session is over: the refresh token can never work again. */
const FINAL = new Set([
  'refresh_token_not_found',
  'refresh_token_already_used',
  'session_not_found',
  'session_expired',
  'user_not_found',
  'user_banned',
])

/**
 * Maps a supabase-js auth error: `AuthRetryableFetchError` (network, 502/503/504) is
 * transient, a dead refresh token or user is final (`ERR_REVOKED`), others transient.
 */
export function toKeywayError(error: unknown): KeywayError {
  const e = error as { name?: string; code?: string; status?: number }
  if (e?.name === 'AuthRetryableFetchError')
    return new KeywayError('ERR_NETWORK', 'Supabase Auth could not be reached', { cause: error })
  if (
    (e?.code && FINAL.has(e.code)) ||
    (e?.status === 400 && e?.name === 'AuthApiError' && !e.code)
  )
    return new KeywayError(
      'ERR_REVOKED',
      `Supabase ended the session (${e.code ?? 'invalid_grant'})`,
      {
        transient: false,
        cause: error,
      },
    )
  return new KeywayError('ERR_PROVIDER', `Supabase Auth failed${e?.code ? ` (${e.code})` : ''}`, {
    cause: error,
  })
}
