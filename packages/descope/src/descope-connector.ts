import { type Connector, decodeJwt, raceSignal } from '@keyway/core'
import { toKeywayDescopeError } from './descope-errors.js'

/**
 * The part of a Descope web SDK client (`createSdk({ projectId, persistTokens: true })` from
 * `@descope/web-js-sdk`) the connector uses. The real client satisfies it (pinned by
 * `descope-types.test-d.ts`).
 *
 * @example
 * ```ts
 * const sdk: DescopeLike = createSdk({ projectId: 'P2…', persistTokens: true, autoRefresh: true })
 * ```
 */
export interface DescopeLike {
  getSessionToken(): string
  refresh(): Promise<{ ok: boolean; data?: { sessionJwt?: string } }>
  onSessionTokenChange(callback: (token: string | null) => void): () => unknown
  logout(): Promise<unknown>
}

/**
 * Options of {@link descopeConnector}.
 *
 * @example
 * ```ts
 * const options: DescopeConnectorOptions = { id: 'descope' }
 * ```
 */
export interface DescopeConnectorOptions {
  /** Connector id. Default `'descope'`. */
  id?: string
}

/** The user a session JWT speaks for; `undefined` (unknown) for a token that is not a JWT. */
function userOf(token: string): string | undefined {
  try {
    return decodeJwt(token).payload.sub
  } catch {
    return undefined
  }
}

/**
 * A connector over Descope (`@descope/web-js-sdk`): the session JWT (`getSessionToken()`),
 * verifiable at `https://api.descope.com/<projectId>/.well-known/jwks.json`.
 *
 * - the unforced answer is the session JWT the SDK persisted (no request);
 * - `forceRefresh` calls `refresh()` (the refresh JWT at `/v1/auth/refresh`) first;
 * - `subscribe` follows `onSessionTokenChange` with the token's `sub`, `null` on logout or
 *   when Descope said the session is invalid; a failed `fetch` or a 5xx publishes nothing.
 *
 * @example
 * ```ts
 * const sdk = createSdk({ projectId: 'P2…', persistTokens: true, autoRefresh: true })
 * const session = createSession({ connector: descopeConnector(sdk) })
 * ```
 */
export const descopeConnector = (sdk: DescopeLike, options: DescopeConnectorOptions = {}) =>
  ({
    id: options.id ?? 'descope',
    async fetchCredentials({ forceRefresh, signal }) {
      let token = await raceSignal(Promise.resolve(sdk.getSessionToken()), signal)
      // With nobody signed in, a forced refresh would only send a request bound to fail.
      if (forceRefresh && token) {
        const res = await raceSignal(sdk.refresh(), signal).catch((error: unknown) => {
          throw signal.aborted ? error : toKeywayDescopeError(error)
        })
        if (!res.ok) throw toKeywayDescopeError(res)
        token = res.data?.sessionJwt || sdk.getSessionToken()
      }
      // No expiresAt: keyway reads exp and iat from the token itself.
      return token ? { token } : null
    },
    subscribe(onChange) {
      const off = sdk.onSessionTokenChange((token) => onChange(token ? userOf(token) : null))
      return () => void off()
    },
    signOut: async () => void (await sdk.logout()),
  }) satisfies Connector
