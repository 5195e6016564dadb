import { KeywayError } from '@keyway/core'

/** Delta seconds of a `Retry-After` header in ms; an HTTP date or nothing gives `undefined`. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after')?.trim()
  return value && /^\d+$/.test(value) ? Number(value) * 1000 : undefined
}

/**
 * Maps what keycloak-js's `updateToken()` throws to a KeywayError, by the table in
 * docs/errors.md. keycloak-js throws its `NetworkError` with the token endpoint's `Response`
 * for a non-2xx answer, and lets a failed `fetch` throw as it is.
 *
 * | keycloak-js | KeywayError |
 * |---|---|
 * | a failed `fetch` (`TypeError`, `NetworkError`) | `ERR_NETWORK`, transient |
 * | `NetworkError` 408, 429, 5xx | `ERR_PROVIDER`, transient (`retryAfterMs` from `Retry-After`) |
 * | `NetworkError` 400 (`invalid_grant`: the session or refresh token is gone; keycloak-js clears its tokens) | `ERR_REVOKED`, final |
 * | `NetworkError` other 4xx (`unauthorized_client`, a disabled client: the app's setup) | `ERR_PROVIDER`, final |
 * | anything else | `ERR_PROVIDER`, transient |
 *
 * @example
 * ```ts
 * await keycloak.updateToken(30).catch((e) => {
 *   if (!toKeywayKeycloakError(e).transient) void keycloak.login()
 * })
 * ```
 */
export function toKeywayKeycloakError(error: unknown): KeywayError {
  const response = (error as { response?: unknown } | undefined)?.response
  if (!(response instanceof Response)) {
    // Browsers reject fetch with a TypeError; some DOM implementations with a NetworkError.
    const name = (error as { name?: unknown } | undefined)?.name
    if (error instanceof TypeError || name === 'NetworkError')
      return new KeywayError('ERR_NETWORK', 'Keycloak could not be reached', { cause: error })
    return new KeywayError('ERR_PROVIDER', 'Keycloak failed', { cause: error })
  }
  const { status } = response
  if (status === 400)
    return new KeywayError('ERR_REVOKED', 'Keycloak ended the session (400)', {
      transient: false,
      cause: error,
    })
  const wait = retryAfterMs(response)
  return new KeywayError('ERR_PROVIDER', `Keycloak answered ${status}`, {
    transient: status === 408 || status === 429 || status >= 500,
    cause: error,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  })
}
