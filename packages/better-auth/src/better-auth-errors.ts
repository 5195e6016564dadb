import { KeywayError } from '@keyway/core'

/**
 * Maps a failed Better Auth call to a KeywayError, by the table in docs/errors.md. Better
 * Auth's client answers HTTP errors as `{ status, statusText }` (better-fetch) and lets a
 * failed `fetch` throw. A 401 never reaches it: the connector answers `null` (signed out).
 *
 * | Better Auth | KeywayError |
 * |---|---|
 * | a thrown `TypeError`, status 0 (not reached) | `ERR_NETWORK`, transient |
 * | 408, 429, 5xx | `ERR_PROVIDER`, transient |
 * | any other 4xx (a route or plugin missing: the app's setup) | `ERR_PROVIDER`, final |
 * | anything else | `ERR_PROVIDER`, transient |
 *
 * @example
 * ```ts
 * const { error } = await authClient.token()
 * if (error) throw toKeywayBetterAuthError(error)
 * ```
 */
export function toKeywayBetterAuthError(error: unknown): KeywayError {
  const status = (error as { status?: unknown } | undefined)?.status
  if (error instanceof TypeError || status === 0)
    return new KeywayError('ERR_NETWORK', 'Better Auth could not be reached', { cause: error })
  if (typeof status !== 'number' || status === 408 || status === 429 || status >= 500)
    return new KeywayError(
      'ERR_PROVIDER',
      `Better Auth failed${typeof status === 'number' ? ` (${status})` : ''}`,
      { cause: error },
    )
  return new KeywayError('ERR_PROVIDER', `Better Auth answered ${status}`, {
    transient: false,
    cause: error,
  })
}
