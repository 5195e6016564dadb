import type {
  Auth0Client,
  GetTokenSilentlyOptions,
  GetTokenSilentlyVerboseResponse,
} from '@auth0/auth0-spa-js'
import { type Connector, decodeJwt, KeywayError, raceSignal } from '@keyway/core'
import { SIGNED_OUT_ERRORS, toKeywayAuth0Error } from './auth0-errors.js'
import { restoreSession } from './auth0-restore.js'

/** The parts of an auth0-spa-js `Auth0Client` the connector uses. */
export type Auth0ClientLike = Pick<
  Auth0Client,
  'getTokenSilently' | 'isAuthenticated' | 'getUser' | 'checkSession' | 'logout'
>

/**
 * Options of {@link auth0Connector}.
 *
 * @example
 * ```ts
 * const options: Auth0ConnectorOptions = { token: 'id_token' }
 * ```
 */
export interface Auth0ConnectorOptions {
  /** Connector id. Default `'auth0'`. */
  id?: string
  /**
   * Which token goes to the backend. Default `'access_token'`, a JWT for the API named by
   * `authorizationParams.audience` (without an audience Auth0 issues an opaque token).
   */
  token?: 'access_token' | 'id_token'
  /** Passed to `getTokenSilently`, e.g. `{ audience }` when it differs from the client's. */
  authorizationParams?: GetTokenSilentlyOptions['authorizationParams']
}

/**
 * An Auth0 connector, plus the one call auth0-spa-js needs from the app: it has no auth-state
 * event, so the app says when the user may have changed.
 *
 * @example
 * ```ts
 * await auth0.handleRedirectCallback()
 * await connector.userChanged()
 * ```
 */
export interface Auth0Connector extends Connector {
  /**
   * Tells the session who is signed in now (`getUser().sub`, from the SDK's cache): call it
   * after `handleRedirectCallback()`, `loginWithPopup()`, `getTokenWithPopup()` or `logout()`.
   */
  userChanged(): Promise<void>
  signOut(): Promise<void>
}

/**
 * A connector over Auth0's SPA SDK (auth0-spa-js).
 *
 * - the first answer waits for the SDK's session restore (`checkSession()`'s call, made by the
 *   connector when the SDK's `is.authenticated` cookie says there is a session: a failure to
 *   restore is a transient error, not signed out), then `isAuthenticated()`;
 * - `forceRefresh` maps to `getTokenSilently({ cacheMode: 'off' })`;
 * - `subscribe` tells the user (`sub`) each time the app calls `userChanged()`: auth0-spa-js
 *   has no auth-state event, and the connector does not wrap the client's methods;
 * - `login_required` / `consent_required` answer `null`; `invalid_grant` is final.
 * Create the client with `useRefreshTokens: true` (no third-party-cookie iframe).
 *
 * @example
 * ```ts
 * const auth0 = new Auth0Client({ domain, clientId, useRefreshTokens: true,
 *   authorizationParams: { audience: 'https://api.example.com', redirect_uri: location.origin } })
 * const session = createSession({ connector: auth0Connector(auth0) })
 * ```
 */
export const auth0Connector = (
  client: Auth0ClientLike,
  options: Auth0ConnectorOptions = {},
): Auth0Connector => {
  const kind = options.token ?? 'access_token'
  const listeners = new Set<(userId: string | null) => void>()
  let restored: Promise<void> | undefined

  async function userChanged(): Promise<void> {
    const sub = (await client.getUser())?.sub ?? null
    for (const listener of [...listeners]) listener(sub)
  }

  return {
    id: options.id ?? 'auth0',
    async fetchCredentials({ forceRefresh, signal }) {
      // A failed restore (Auth0 unreachable on a reload) is tried again on the next fetch.
      restored ??= restoreSession(client).catch((error: unknown) => {
        restored = undefined
        throw error
      })
      try {
        await raceSignal(restored, signal)
      } catch (error) {
        if (signal.aborted) throw error
        throw toKeywayAuth0Error(error)
      }
      if (!(await raceSignal(client.isAuthenticated(), signal))) return null
      let response: GetTokenSilentlyVerboseResponse | undefined
      try {
        response = await raceSignal(
          client.getTokenSilently({
            cacheMode: forceRefresh ? 'off' : 'on',
            detailedResponse: true,
            ...(options.authorizationParams && {
              authorizationParams: options.authorizationParams,
            }),
          }),
          signal,
        )
      } catch (error) {
        if (signal.aborted) throw error
        const code = (error as { error?: unknown })?.error
        if (typeof code === 'string' && SIGNED_OUT_ERRORS.has(code)) return null
        throw toKeywayAuth0Error(error)
      }
      // `undefined`: the session's ceiling (`session_expiry`) passed and the SDK cleared it.
      const token = response?.[kind]
      if (!token) return null
      try {
        decodeJwt(token)
      } catch (cause) {
        throw new KeywayError(
          'ERR_CONFIG',
          `The Auth0 ${kind} is not a JWT: set authorizationParams.audience to your API identifier`,
          { transient: false, cause },
        )
      }
      return { token }
    },
    subscribe(onChange) {
      listeners.add(onChange)
      return () => void listeners.delete(onChange)
    },
    userChanged,
    async signOut() {
      // Clears the SDK's cache without leaving the page; call `logout()` yourself to also end
      // the Auth0 session (it redirects to /v2/logout).
      await client.logout({ openUrl: false })
      await userChanged()
    },
  }
}
