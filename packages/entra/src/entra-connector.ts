import type {
  AuthenticationResult,
  EventMessage,
  IPublicClientApplication,
} from '@azure/msal-browser'
import { type Connector, decodeJwt, raceSignal } from '@keyway/core'
import { SIGNED_OUT_ERRORS, toKeywayEntraError } from './entra-errors.js'

/** The parts of an MSAL `PublicClientApplication` the connector uses. */
export type MsalClientLike = Pick<
  IPublicClientApplication,
  | 'acquireTokenSilent'
  | 'getActiveAccount'
  | 'getAllAccounts'
  | 'addEventCallback'
  | 'removeEventCallback'
  | 'clearCache'
>

/**
 * Options of {@link entraConnector}.
 *
 * @example
 * ```ts
 * const options: EntraConnectorOptions = { scopes: ['api://my-api/access'] }
 * ```
 */
export interface EntraConnectorOptions {
  /** Connector id. Default `'entra'`. */
  id?: string
  /**
   * Your API's scopes (`api://<app-id>/<scope>`): the access token is then a JWT for your API.
   * Without scopes there is no token for your API, and the connector hands out the ID token
   * (`aud` = your client id).
   */
  scopes?: string[]
  /**
   * Settles once MSAL is ready: the promise of `initialize()` then `handleRedirectPromise()`.
   * The first answer waits for it (a rejection counts as settled).
   */
  ready?: Promise<unknown>
}

// MSAL's EventType values, by value: the connector needs no runtime import of MSAL.
const SIGNED_IN = ['msal:loginSuccess', 'msal:acquireTokenSuccess', 'msal:ssoSilentSuccess']

/**
 * A connector over MSAL.js (`@azure/msal-browser`) for Microsoft Entra ID (Azure AD): the
 * access token for your API, verifiable at
 * `https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys`.
 *
 * - the account is MSAL's active account (or its only one); none answers `null`;
 * - an unforced fetch is `acquireTokenSilent` from MSAL's cache or with its refresh token;
 *   `forceRefresh` is `acquireTokenSilent({ forceRefresh: true })` with the refresh token.
 *   Neither falls back to the hidden iframe (third-party cookies);
 * - answers needing interaction (`login_required`, `no_tokens_found`, …) are `null`;
 * - `subscribe` tells the `sub` of each token MSAL hands out for these scopes, `null` on
 *   logout; a failed acquisition tells nothing;
 * - `signOut()` is `clearCache()`: local; call `logoutRedirect()` to end the Entra session.
 *
 * @example
 * ```ts
 * const msal = new PublicClientApplication({ auth: { clientId, authority } })
 * const ready = msal.initialize().then(() => msal.handleRedirectPromise())
 * const connector = entraConnector(msal, { scopes: ['api://my-api/access'], ready })
 * ```
 */
export const entraConnector = (client: MsalClientLike, options: EntraConnectorOptions = {}) => {
  const scopes = options.scopes ?? []
  const ready = Promise.resolve(options.ready).catch(() => undefined)
  const tokenOf = (result: AuthenticationResult) =>
    scopes.length ? result.accessToken : result.idToken
  const covers = (result: AuthenticationResult) =>
    scopes.every((s) => result.scopes?.some((granted) => granted.toLowerCase() === s.toLowerCase()))
  const account = () => {
    const all = client.getAllAccounts()
    return client.getActiveAccount() ?? (all.length === 1 ? all[0] : null)
  }

  return {
    id: options.id ?? 'entra',
    async fetchCredentials({ forceRefresh, signal }) {
      await raceSignal(ready, signal)
      const signedIn = account()
      if (!signedIn) return null
      let result: AuthenticationResult
      try {
        result = await raceSignal(
          client.acquireTokenSilent({
            // For the ID token alone MSAL still wants a scope: `openid` asks for nothing more.
            scopes: scopes.length ? scopes : ['openid'],
            account: signedIn,
            forceRefresh,
            // CacheLookupPolicy.RefreshToken (3) / AccessTokenAndRefreshToken (2): no iframe.
            cacheLookupPolicy: forceRefresh ? 3 : 2,
          }),
          signal,
        )
      } catch (error) {
        if (signal.aborted) throw error
        if (SIGNED_OUT_ERRORS.has((error as { errorCode?: string })?.errorCode ?? '')) return null
        throw toKeywayEntraError(error)
      }
      const token = tokenOf(result)
      return token ? { token } : null
    },
    subscribe(onChange) {
      const id = client.addEventCallback((message: EventMessage) => {
        // MSAL reports a logout without an account as its end only: nobody left is nobody.
        if (message.eventType === 'msal:logoutSuccess') return onChange(null)
        if (message.eventType === 'msal:logoutEnd') return account() ? undefined : onChange(null)
        if (!SIGNED_IN.includes(message.eventType)) return
        const result = message.payload as AuthenticationResult | null
        // A token for other scopes (Microsoft Graph) carries another, pairwise `sub`.
        const token = result && covers(result) ? tokenOf(result) : undefined
        onChange(token ? decodeJwt(token).payload.sub : undefined)
      })
      return () => {
        if (id) client.removeEventCallback(id)
      }
    },
    async signOut() {
      await client.clearCache({ account: account() ?? undefined })
    },
  } satisfies Connector
}
