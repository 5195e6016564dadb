import { KeywayError } from '@keyway/core'

/** Firebase says the session is over for good: the user must sign in again. */
const FINAL = new Set([
  'auth/user-disabled',
  'auth/user-token-expired',
  'auth/invalid-user-token',
  'auth/user-not-found',
  'auth/requires-recent-login',
])

/**
 * Maps a FirebaseError to a KeywayError: network failures and rate limits are transient,
 * a disabled or revoked user is final (`ERR_REVOKED`), anything else a transient provider error.
 */
export function toKeywayFirebaseError(error: unknown): KeywayError {
  const code = (error as { code?: unknown })?.code
  if (code === 'auth/network-request-failed')
    return new KeywayError('ERR_NETWORK', 'Firebase Auth could not be reached', { cause: error })
  if (typeof code === 'string' && FINAL.has(code))
    return new KeywayError('ERR_REVOKED', `Firebase ended the session (${code})`, {
      transient: false,
      cause: error,
    })
  return new KeywayError(
    'ERR_PROVIDER',
    `Firebase Auth failed${typeof code === 'string' ? ` (${code})` : ''}`,
    {
      cause: error,
    },
  )
}
