import { type Connector, decodeJwt, KeywayError, raceSignal } from '@keyway/core'
import type { User, UserManager } from 'oidc-client-ts'
import { SIGNED_OUT_ERRORS, toKeywayOidcError } from './oidc-errors.js'

/** The parts of an oidc-client-ts `UserManager` the connector uses. */
export type UserManagerLike = Pick<
  UserManager,
  'getUser' | 'signinSilent' | 'removeUser' | 'revokeTokens' | 'events' | 'settings'
>

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

// Below this much remaining life a stored token is renewed before it is handed out: a token
// restored from storage after a long pause would otherwise look brand-new to keyway.
const STALE_MS = 30_000

/**
 * A connector over oidc-client-ts for any OpenID Connect provider (Keycloak, Cognito,
 * Entra ID, Google, Okta, …).
 *
 * - the first answer waits for `options.ready` and reads the stored user (`getUser()`);
 * - `forceRefresh` (and a stored token near expiry) maps to `signinSilent()`, which uses the
 *   refresh token when there is one;
 * - `subscribe` fires on `userLoaded` / `userUnloaded` when the user (`sub`) changes, not on
 *   token refreshes;
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
  // The user behind the last answer (undefined before the first): events for the same
  // user are token refreshes, not changes.
  let answeredUser: string | null | undefined

  function credentialsOf(user: User): { token: string; exp: number | undefined } {
    const token = user[kind]
    if (!token)
      throw new KeywayError('ERR_CONFIG', `The OIDC provider returned no ${kind}`, {
        transient: false,
      })
    try {
      return { token, exp: decodeJwt(token).payload.exp }
    } catch (cause) {
      throw new KeywayError(
        'ERR_CONFIG',
        `The ${kind} is not a JWT (opaque): request an audience/resource for your API, or use token: 'id_token'`,
        { transient: false, cause },
      )
    }
  }

  return {
    id: options.id ?? 'oidc',
    async fetchCredentials({ forceRefresh, signal }) {
      await raceSignal(ready, signal)
      let user = await raceSignal(userManager.getUser(), signal)
      if (!user) {
        answeredUser = null
        return null
      }
      const stored = credentialsOf(user)
      const stale = stored.exp !== undefined && stored.exp * 1000 - Date.now() < STALE_MS
      if (forceRefresh || stale) {
        try {
          user = await raceSignal(userManager.signinSilent(), signal)
        } catch (error) {
          if (signal.aborted) throw error
          const code = (error as { error?: unknown })?.error
          if (typeof code === 'string' && SIGNED_OUT_ERRORS.has(code)) {
            answeredUser = null
            await userManager.removeUser()
            return null
          }
          throw toKeywayOidcError(error)
        }
        if (!user) {
          answeredUser = null
          return null
        }
      }
      const fresh = credentialsOf(user)
      // A provider that returns no new ID token on refresh leaves the old, expiring one in place.
      if (stale && fresh.token === stored.token)
        throw new KeywayError('ERR_PROVIDER', `The provider renewed no ${kind} on refresh`, {
          transient: false,
        })
      answeredUser = user.profile.sub
      return { token: fresh.token }
    },
    subscribe(onChange) {
      const seen = (sub: string | null) => {
        if (sub === answeredUser) return
        answeredUser = sub
        onChange()
      }
      const offLoaded = userManager.events.addUserLoaded((user) => seen(user.profile.sub))
      const offUnloaded = userManager.events.addUserUnloaded(() => seen(null))
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
