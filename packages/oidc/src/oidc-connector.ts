import { type Connector, type Credentials, decodeJwt, KeywayError, raceSignal } from '@keyway/core'
import type { User, UserManager } from 'oidc-client-ts'
import { SIGNED_OUT_ERRORS, toKeywayOidcError } from './oidc-errors.js'

/** The parts of an oidc-client-ts `UserManager` the connector uses. */
export type UserManagerLike = Pick<
  UserManager,
  'getUser' | 'signinSilent' | 'removeUser' | 'revokeTokens' | 'events' | 'settings'
>

/**
 * Options of {@link oidcConnector}.
 *
 * @example
 * ```ts
 * const options: OidcConnectorOptions = { token: 'id_token', ready: userManager.signinCallback() }
 * ```
 */
export interface OidcConnectorOptions {
  /** Connector id. Default `'oidc'`. */
  id?: string
  /**
   * Which token goes to the backend. Default `'access_token'`: the token OAuth meant for
   * APIs (its `aud` is your API, it carries scopes). Use `'id_token'` where access tokens
   * are opaque (Google) or not meant for your API (Entra ID without an API scope).
   */
  token?: 'access_token' | 'id_token'
  /**
   * Settles once the app has finished restoring its sign-in, e.g. the promise of
   * `userManager.signinCallback()` on the redirect page. The first answer waits for it
   * (a rejection counts as settled: a failed callback just means nobody signed in).
   */
  ready?: Promise<unknown>
}

/**
 * A connector over oidc-client-ts for any OpenID Connect provider (Keycloak, Cognito,
 * Entra ID, Google, Okta, …).
 *
 * - the first answer waits for `options.ready` and reads the stored user (`getUser()`);
 * - answers carry the SDK's `expires_at` as `expiresAt`, so the session renews a stored token
 *   restored near or past its expiry at once;
 * - `forceRefresh` maps to `signinSilent()`, which uses the refresh token when there is one;
 * - `subscribe` tells the user (`sub`) on `userLoaded`, `null` on `userUnloaded`;
 * - `invalid_grant` is final (`ERR_REVOKED`); `login_required` and friends remove the user
 *   and answer `null`.
 * Create the `UserManager` with `automaticSilentRenew: false`: keyway schedules the refresh.
 *
 * @example
 * ```ts
 * const userManager = new UserManager({ authority, client_id, redirect_uri,
 *   scope: 'openid offline_access', automaticSilentRenew: false })
 * const session = createSession({ connector: oidcConnector(userManager) })
 * ```
 */
export const oidcConnector = (userManager: UserManagerLike, options: OidcConnectorOptions = {}) => {
  const kind = options.token ?? 'access_token'
  const ready = Promise.resolve(options.ready).catch(() => undefined)

  function credentialsOf(user: User): Credentials {
    const token = user[kind]
    if (!token)
      throw new KeywayError('ERR_CONFIG', `The OIDC provider returned no ${kind}`, {
        transient: false,
      })
    try {
      decodeJwt(token)
    } catch (cause) {
      throw new KeywayError(
        'ERR_CONFIG',
        `The ${kind} is not a JWT (opaque): request an audience/resource for your API, or use token: 'id_token'`,
        { transient: false, cause },
      )
    }
    // The SDK's own expiry of this sign-in, taken on the local clock when the tokens arrived:
    // a stored token restored after a long pause is not mistaken for a fresh one, and the
    // session, not the connector, decides when to renew it.
    return user.expires_at === undefined ? { token } : { token, expiresAt: user.expires_at * 1000 }
  }

  return {
    id: options.id ?? 'oidc',
    async fetchCredentials({ forceRefresh, signal }) {
      await raceSignal(ready, signal)
      const stored = await raceSignal(userManager.getUser(), signal)
      if (!stored) return null
      if (!forceRefresh) return credentialsOf(stored)
      let user: User | null
      try {
        user = await raceSignal(userManager.signinSilent(), signal)
      } catch (error) {
        if (signal.aborted) throw error
        const code = (error as { error?: unknown })?.error
        if (typeof code === 'string' && SIGNED_OUT_ERRORS.has(code)) {
          await userManager.removeUser()
          return null
        }
        throw toKeywayOidcError(error)
      }
      return user ? credentialsOf(user) : null
    },
    subscribe(onChange) {
      // Every load (sign-in, refresh) tells its user; the session decides what is a change.
      const offLoaded = userManager.events.addUserLoaded((user) => onChange(user.profile.sub))
      const offUnloaded = userManager.events.addUserUnloaded(() => onChange(null))
      return () => {
        offLoaded()
        offUnloaded()
      }
    },
    async signOut() {
      // Local sign-out; call `signoutRedirect()` yourself to end the provider's session too.
      try {
        if (userManager.settings.revokeTokensOnSignout) await userManager.revokeTokens()
      } finally {
        await userManager.removeUser()
      }
    },
  } satisfies Connector
}
