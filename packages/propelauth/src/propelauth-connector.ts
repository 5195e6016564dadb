import { abortError, type Connector, decodeJwt, raceSignal } from '@keyway/core'
import { toKeywayPropelAuthError } from './propelauth-errors.js'

/**
 * The part of a PropelAuth client (`createClient({ authUrl })` from `@propelauth/javascript`)
 * the connector uses. The real client satisfies it (pinned by `propelauth-types.test-d.ts`).
 *
 * @example
 * ```ts
 * const client: PropelAuthLike = createClient({ authUrl: 'https://auth.example.com' })
 * ```
 */
export interface PropelAuthLike {
  getAuthenticationInfoOrNull(forceRefresh?: boolean): Promise<{ accessToken: string } | null>
  addAccessTokenChangeObserver(observer: (accessToken: string | undefined) => void): void
  removeAccessTokenChangeObserver(observer: (accessToken: string | undefined) => void): void
  logout(redirectAfterLogout: boolean): Promise<void>
}

/**
 * Options of {@link propelAuthConnector}.
 *
 * @example
 * ```ts
 * const options: PropelAuthConnectorOptions = { id: 'propelauth' }
 * ```
 */
export interface PropelAuthConnectorOptions {
  /** Connector id. Default `'propelauth'`. */
  id?: string
}

/**
 * A connector over PropelAuth (`@propelauth/javascript`): the access token of
 * `getAuthenticationInfoOrNull(forceRefresh)`, verifiable at `<authUrl>/.well-known/jwks.json`.
 *
 * - `forceRefresh` maps to `getAuthenticationInfoOrNull(true)`; `null` from it is signed out;
 * - `subscribe` follows `addAccessTokenChangeObserver` with the token's `sub`, `null` once it
 *   is gone, except while one of the connector's own calls is in flight: the client drops
 *   its session when a forced refresh fails even for the network, and that is no sign-out.
 *
 * @example
 * ```ts
 * const client = createClient({ authUrl: 'https://auth.example.com' })
 * const session = createSession({ connector: propelAuthConnector(client) })
 * ```
 */
export function propelAuthConnector(
  client: PropelAuthLike,
  options: PropelAuthConnectorOptions = {},
) {
  let calls = 0
  // What the client reported while a call was in flight; told once the call succeeded.
  let held: { token: string | undefined } | undefined
  const listeners = new Set<(userId?: string | null) => void>()
  const tell = (token: string | undefined) => {
    const userId = token ? decodeJwt(token).payload.sub : null
    for (const listener of [...listeners]) listener(userId)
  }
  const observer = (token: string | undefined) => {
    if (calls > 0) held = { token }
    else tell(token)
  }
  return {
    id: options.id ?? 'propelauth',
    async fetchCredentials({ forceRefresh, signal }) {
      if (signal.aborted) throw abortError(signal)
      calls++
      const call = client.getAuthenticationInfoOrNull(forceRefresh)
      const settle = (succeeded: boolean) => {
        if (--calls > 0) return
        const report = held
        held = undefined
        if (succeeded && report) tell(report.token)
      }
      call.then(
        () => settle(true),
        () => settle(false),
      )
      try {
        const info = await raceSignal(call, signal)
        // No expiresAt: keyway reads exp and iat from the token itself.
        return info ? { token: info.accessToken } : null
      } catch (error) {
        if (signal.aborted) throw error
        throw toKeywayPropelAuthError(error)
      }
    },
    subscribe(onChange) {
      if (listeners.size === 0) client.addAccessTokenChangeObserver(observer)
      listeners.add(onChange)
      return () => {
        listeners.delete(onChange)
        if (listeners.size === 0) client.removeAccessTokenChangeObserver(observer)
      }
    },
    // false: stay on the page; the app decides where to go after signing out.
    signOut: () => client.logout(false),
  } satisfies Connector
}
