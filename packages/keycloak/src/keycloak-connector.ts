import { type Connector, raceSignal } from '@keyway/core'
import type Keycloak from 'keycloak-js'
import { toKeywayKeycloakError } from './keycloak-errors.js'

/** The parts of a keycloak-js `Keycloak` instance the connector uses. */
export type KeycloakLike = Pick<
  Keycloak,
  | 'authenticated'
  | 'token'
  | 'idToken'
  | 'refreshToken'
  | 'subject'
  | 'updateToken'
  | 'clearToken'
  | 'onAuthSuccess'
  | 'onAuthRefreshSuccess'
  | 'onAuthLogout'
>

/**
 * Options of {@link keycloakConnector}.
 *
 * @example
 * ```ts
 * const options: KeycloakConnectorOptions = { ready: keycloak.init({ onLoad: 'check-sso' }) }
 * ```
 */
export interface KeycloakConnectorOptions {
  /** Connector id. Default `'keycloak'`. */
  id?: string
  /** Which token goes to the backend. Default `'access_token'` (`keycloak.token`). */
  token?: 'access_token' | 'id_token'
  /**
   * The promise of `keycloak.init(…)`: the first answer waits for it, so a session Keycloak
   * restores (a redirect back, check-sso, stored tokens) is never answered as signed out. A
   * rejection counts as settled: a failed init means nobody is signed in.
   */
  ready?: Promise<unknown>
}

type Hook = 'onAuthSuccess' | 'onAuthRefreshSuccess' | 'onAuthLogout'
const HOOKS: readonly Hook[] = ['onAuthSuccess', 'onAuthRefreshSuccess', 'onAuthLogout']
// keycloak-js has one handler per event: the connector sets each once per instance, keeps
// the app's own handler running, and fans out to every subscriber.
const hooked = new WeakMap<object, Set<() => void>>()

function listen(keycloak: KeycloakLike, listener: () => void): () => void {
  let listeners = hooked.get(keycloak)
  if (!listeners) {
    const set = new Set<() => void>()
    listeners = set
    hooked.set(keycloak, set)
    for (const hook of HOOKS) {
      const app = keycloak[hook]
      keycloak[hook] = () => {
        app?.()
        for (const l of [...set]) l()
      }
    }
  }
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

/**
 * A connector over Keycloak's JavaScript adapter (`keycloak-js`): the access token, verifiable
 * at `<url>/realms/<realm>/protocol/openid-connect/certs`.
 *
 * - the first answer waits for `options.ready` (the promise of `keycloak.init()`);
 * - an unforced fetch is `updateToken()` (Keycloak renews only a token about to expire, by
 *   its own clock-skew estimate); `forceRefresh` is `updateToken(-1)`, a refresh-token grant;
 * - `subscribe` tells `keycloak.subject` on `onAuthSuccess` / `onAuthRefreshSuccess` and
 *   `null` on `onAuthLogout` (a failed refresh, `onAuthRefreshError`, tells nothing);
 * - `signOut()` is `clearToken()`: local; call `keycloak.logout()` to end the SSO session.
 *
 * @example
 * ```ts
 * const keycloak = new Keycloak({ url: 'https://sso.example.com', realm: 'main', clientId: 'spa' })
 * const ready = keycloak.init({ onLoad: 'check-sso', pkceMethod: 'S256' })
 * const session = createSession({ connector: keycloakConnector(keycloak, { ready }) })
 * ```
 */
export const keycloakConnector = (
  keycloak: KeycloakLike,
  options: KeycloakConnectorOptions = {},
) => {
  const ready = Promise.resolve(options.ready).catch(() => undefined)
  const current = () => (options.token === 'id_token' ? keycloak.idToken : keycloak.token)
  return {
    id: options.id ?? 'keycloak',
    async fetchCredentials({ forceRefresh, signal }) {
      await raceSignal(ready, signal)
      if (!keycloak.authenticated || !keycloak.refreshToken) return null
      try {
        await raceSignal(keycloak.updateToken(forceRefresh ? -1 : 5), signal)
      } catch (error) {
        if (signal.aborted) throw error
        throw toKeywayKeycloakError(error)
      }
      const token = current()
      // No expiresAt: keyway reads exp and iat from the token itself.
      return token ? { token } : null
    },
    subscribe(onChange) {
      return listen(keycloak, () =>
        onChange(keycloak.authenticated ? (keycloak.subject ?? undefined) : null),
      )
    },
    async signOut() {
      keycloak.clearToken()
    },
  } satisfies Connector
}
