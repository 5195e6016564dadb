import { KeywayError } from '@keyway/core'

/**
 * Cognito's answers that end the session (Amplify's `TokenOrchestrator` clears its tokens on
 * these too): the refresh token is dead, revoked or reused, or the user is gone or blocked.
 */
const FINAL = [
  'NotAuthorizedException',
  'TokenRevokedException',
  'RefreshTokenReuseException',
  'UserNotFoundException',
  'UserNotConfirmedException',
  'PasswordResetRequiredException',
]

/**
 * Maps an error from Amplify's `fetchAuthSession()` to a KeywayError. Amplify names its
 * `AuthError` after Cognito's error type (`__type`) and a failed `fetch` `NetworkError`, after
 * its own three tries; matched by `name`, so a second copy of Amplify maps the same.
 *
 * - `NetworkError`, a `TypeError` → `ERR_NETWORK`, transient;
 * - a dead session (`NotAuthorizedException`, `TokenRevokedException`, …) → `ERR_REVOKED`, final;
 * - anything else (`TooManyRequestsException`, `InternalErrorException`, a 5xx) → `ERR_PROVIDER`,
 *   transient (Cognito sends no `Retry-After`).
 *
 * @example
 * ```ts
 * const error = toKeywayCognitoError(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }))
 * error.code // 'ERR_PROVIDER'
 * ```
 */
export function toKeywayCognitoError(error: unknown): KeywayError {
  const name = String((error as { name?: unknown } | null)?.name)
  if (name === 'NetworkError' || error instanceof TypeError)
    return new KeywayError('ERR_NETWORK', 'Cognito could not be reached', { cause: error })
  if (FINAL.some((final) => name.startsWith(final)))
    return new KeywayError('ERR_REVOKED', `Cognito ended the session (${name})`, {
      transient: false,
      cause: error,
    })
  return new KeywayError('ERR_PROVIDER', `Cognito failed (${name})`, { cause: error })
}
