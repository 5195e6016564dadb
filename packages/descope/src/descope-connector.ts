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
  /** With `persistTokens`: the stored refresh JWT (empty when it lives in an HttpOnly cookie). */
  getRefreshToken?(): string
  refresh(token?: string): Promise<{ ok: boolean; data?: { sessionJwt?: string } }>
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
 *   when Descope said the session is invalid; a failed `fetch` or a 5xx publishes nothing;
 * - a 429 makes the SDK clear its tokens: the connector reports nothing for it and, on its
 *   next call, refreshes with the refresh JWT the SDK had (localStorage mode).
 *
 * @example
 * ```ts
 * const sdk = createSdk({ projectId: 'P2…', persistTokens: true, autoRefresh: true })
 * const session = createSession({ connector: descopeConnector(sdk) })
 * ```
 */
export const descopeConnector = (sdk: DescopeLike, options: DescopeConnectorOptions = {}) => {
  // web-js-sdk clears its tokens on any 4xx from /v1/auth/refresh, a 429 included
  // (isInvalidSessionResponse). After a transient failure the connector keeps the refresh JWT
  // it had (`rescue`) and, once the SDK has no session, refreshes with it on its next call;
  // what onSessionTokenChange reports during such a call is not told.
  let rescue: string | undefined
  let calls = 0
  const held: Array<() => void> = []

  async function refresh(token: string | undefined, signal: AbortSignal) {
    const kept = token ?? sdk.getRefreshToken?.()
    calls++
    let failed = false
    try {
      const res = await raceSignal(sdk.refresh(token), signal).catch((error: unknown) => {
        throw signal.aborted ? error : toKeywayDescopeError(error)
      })
      if (!res.ok) {
        const error = toKeywayDescopeError(res)
        failed = error.transient
        throw error
      }
      return res.data?.sessionJwt || sdk.getSessionToken()
    } catch (error) {
      failed ||= !signal.aborted && (error as { transient?: boolean }).transient === true
      throw error
    } finally {
      const report = --calls === 0 ? held.splice(0) : []
      // The refresh JWT read just before this call first: an older one may have been rotated away.
      rescue = failed ? kept || rescue : undefined
      if (!failed) for (const tell of report) tell()
    }
  }

  return {
    id: options.id ?? 'descope',
    async fetchCredentials({ forceRefresh, signal }) {
      let token = await raceSignal(Promise.resolve(sdk.getSessionToken()), signal)
      // With nobody signed in, a forced refresh would only send a request bound to fail.
      if (forceRefresh && token) token = await refresh(undefined, signal)
      // The SDK dropped its tokens after a transient failure: hand its refresh JWT back.
      else if (!token && rescue) token = await refresh(rescue, signal)
      // No expiresAt: keyway reads exp and iat from the token itself.
      return token ? { token } : null
    },
    subscribe(onChange) {
      const off = sdk.onSessionTokenChange((token) => {
        const tell = () => {
          if (!token) rescue = undefined // a sign-out outside the connector's calls
          onChange(token ? userOf(token) : null)
        }
        if (calls > 0) held.push(tell)
        else tell()
      })
      return () => void off()
    },
    signOut: async () => {
      rescue = undefined
      await sdk.logout()
    },
  } satisfies Connector
}
