import { KeywayError } from '@keyway/core'

/** Firebase says the session is over for good: the user must sign in again. */
const REVOKED = new Set([
  'auth/user-disabled',
  'auth/user-token-expired',
  'auth/invalid-user-token',
  'auth/user-not-found',
  'auth/requires-recent-login',
])

/** Faults of the app's Firebase setup: retrying cannot help. */
const SETUP = new Set([
  'auth/invalid-api-key',
  'auth/api-key-not-valid.-please-pass-a-valid-api-key.',
  'auth/app-not-authorized',
  'auth/unauthorized-domain',
  'auth/operation-not-allowed',
  'auth/invalid-tenant-id',
  'auth/project-not-found',
])

/**
 * Maps a FirebaseError to a KeywayError, by the table in docs/errors.md:
 *
 * | Firebase `code` | KeywayError |
 * |---|---|
 * | `auth/network-request-failed` | `ERR_NETWORK`, transient |
 * | `auth/timeout` | `ERR_TIMEOUT`, transient |
 * | `auth/user-disabled`, `auth/user-token-expired`, `auth/invalid-user-token`, `auth/user-not-found`, `auth/requires-recent-login` | `ERR_REVOKED`, final |
 * | `auth/invalid-api-key`, `auth/app-not-authorized`, `auth/unauthorized-domain`, … (setup) | `ERR_PROVIDER`, final |
 * | anything else (`auth/too-many-requests`, `auth/internal-error`) | `ERR_PROVIDER`, transient |
 *
 * @example
 * ```ts
 * const error = toKeywayFirebaseError(new FirebaseError('auth/user-disabled', 'disabled'))
 * error.transient // false
 * ```
 */
export function toKeywayFirebaseError(error: unknown): KeywayError {
  const code = (error as { code?: unknown } | undefined)?.code
  const detail = typeof code === 'string' ? ` (${code})` : ''
  if (code === 'auth/network-request-failed')
    return new KeywayError('ERR_NETWORK', 'Firebase Auth could not be reached', { cause: error })
  if (code === 'auth/timeout')
    return new KeywayError('ERR_TIMEOUT', 'Firebase Auth did not answer in time', { cause: error })
  const revoked = typeof code === 'string' && REVOKED.has(code)
  if (revoked || (typeof code === 'string' && SETUP.has(code)))
    return new KeywayError(
      revoked ? 'ERR_REVOKED' : 'ERR_PROVIDER',
      `Firebase ${revoked ? 'ended the session' : 'refused the app'}${detail}`,
      { transient: false, cause: error },
    )
  return new KeywayError('ERR_PROVIDER', `Firebase Auth failed${detail}`, { cause: error })
}
