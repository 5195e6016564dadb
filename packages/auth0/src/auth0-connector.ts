import type {
  Auth0Client,
  GetTokenSilentlyOptions,
  GetTokenSilentlyVerboseResponse,
} from '@auth0/auth0-spa-js'
import { type Connector, decodeJwt, KeywayError, raceSignal } from '@keyway/core'
import { SIGNED_OUT_ERRORS, toKeywayAuth0Error } from './auth0-errors.js'

/** auth0-spa-js methods after which the signed-in user may have changed. */
export type Auth0UserChangingMethod =
  | 'handleRedirectCallback'
  | 'loginWithPopup'
  | 'getTokenWithPopup'
  | 'checkSession'
  | 'logout'

const USER_CHANGING: readonly Auth0UserChangingMethod[] = [
  'handleRedirectCallback',
  'loginWithPopup',
  'getTokenWithPopup',
  'checkSession',
  'logout',
]

/** The parts of an auth0-spa-js `Auth0Client` the connector uses. */
export type Auth0ClientLike = Pick<
  Auth0Client,
  'getTokenSilently' | 'isAuthenticated' | 'getUser' | Auth0UserChangingMethod
>

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

// auth0-spa-js has no auth-state event: the connector wraps the client's user-changing
// methods once per client and tells every subscriber when one of them settles.
const watchers = new WeakMap<object, Set<() => void>>()

function watch(client: Auth0ClientLike, listener: () => void): () => void {
  let listeners = watchers.get(client)
  if (!listeners) {
    const set = new Set<() => void>()
    listeners = set
    watchers.set(client, set)
    const target = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
    for (const name of USER_CHANGING) {
      const original = target[name]!
      target[name] = async (...args) => {
        try {
          return await original.apply(client, args)
        } finally {
          for (const l of set) l()
        }
      }
    }
  }
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

/**
 * A connector over Auth0's SPA SDK (auth0-spa-js).
 *
 * - the first answer waits for `checkSession()` (restores a session from Auth0 when the SDK's
 *   `is.authenticated` cookie says there is one), then `isAuthenticated()`;
 * - `forceRefresh` maps to `getTokenSilently({ cacheMode: 'off' })`;
 * - `subscribe` fires when the user (`sub`) changes after `handleRedirectCallback`,
 *   `loginWithPopup`, `getTokenWithPopup`, `checkSession` or `logout`;
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
export const auth0Connector = (client: Auth0ClientLike, options: Auth0ConnectorOptions = {}) => {
  const kind = options.token ?? 'access_token'
  // Bound before subscribe wraps it: the connector's own restore is no user change.
  const checkSession = client.checkSession.bind(client)
  let restored: Promise<void> | undefined
  let answeredUser: string | null | undefined

  return {
    id: options.id ?? 'auth0',
    async fetchCredentials({ forceRefresh, signal }) {
      restored ??= checkSession().catch(() => undefined)
      await raceSignal(restored, signal)
      if (!(await raceSignal(client.isAuthenticated(), signal))) {
        answeredUser = null
        return null
      }
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
        if (typeof code === 'string' && SIGNED_OUT_ERRORS.has(code)) {
          answeredUser = null
          return null
        }
        throw toKeywayAuth0Error(error)
      }
      // `undefined`: the session's ceiling (`session_expiry`) passed and the SDK cleared it.
      const token = response?.[kind]
      if (!token) {
        answeredUser = null
        return null
      }
      try {
        decodeJwt(token)
      } catch (cause) {
        throw new KeywayError(
          'ERR_CONFIG',
          `The Auth0 ${kind} is not a JWT: set authorizationParams.audience to your API identifier`,
          { transient: false, cause },
        )
      }
      answeredUser = (await client.getUser())?.sub ?? null
      return { token }
    },
    subscribe(onChange) {
      return watch(client, () => {
        void client.getUser().then((user) => {
          const sub = user?.sub ?? null
          if (sub === answeredUser) return
          answeredUser = sub
          onChange()
        })
      })
    },
    async signOut() {
      // Clears the SDK's cache without leaving the page; call `logout()` yourself to also end
      // the Auth0 session (it redirects to /v2/logout).
      await client.logout({ openUrl: false })
    },
  } satisfies Connector
}
