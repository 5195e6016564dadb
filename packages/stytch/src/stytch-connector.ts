import { abortError, type Connector, raceSignal } from '@keyway/core'
import { toKeywayStytchError } from './stytch-errors.js'

/**
 * The part of a Stytch consumer client (`createStytchClient` or `new StytchClient` from
 * `@stytch/vanilla-js`, or `createStytchHeadlessClient`) the connector uses. The real class
 * satisfies it (pinned by `stytch-types.test-d.ts`).
 *
 * @example
 * ```ts
 * const stytch: StytchLike = createStytchHeadlessClient('public-token-live-…')
 * ```
 */
export interface StytchLike {
  readonly session: {
    getSync(): { user_id: string } | null
    getTokens(): { session_jwt: string } | null
    authenticate(options?: { session_duration_minutes?: number }): Promise<unknown>
    onChange(callback: (session: { user_id: string } | null) => void): () => void
    revoke(options?: { forceClear?: boolean }): Promise<unknown>
  }
}

/**
 * Options of {@link stytchConnector}.
 *
 * @example
 * ```ts
 * const options: StytchConnectorOptions = { id: 'stytch' }
 * ```
 */
export interface StytchConnectorOptions {
  /** Connector id. Default `'stytch'`. */
  id?: string
}

/**
 * A connector over Stytch (`@stytch/vanilla-js`): the session JWT (`session.getTokens()`),
 * verifiable at `https://{test|live}.stytch.com/v1/sessions/jwks/<project id>`.
 *
 * - the unforced answer is the JWT in Stytch's session cookie, as the SDK keeps it;
 * - `forceRefresh` first calls `session.authenticate()`, which mints a new JWT for the session;
 * - `subscribe` follows `session.onChange` with the session's `user_id` (the JWT's `sub`);
 *   Stytch reports a session only once it is gone, never for a failed background refresh.
 *
 * @example
 * ```ts
 * const stytch = createStytchHeadlessClient('public-token-live-…')
 * const session = createSession({ connector: stytchConnector(stytch) })
 * ```
 */
export const stytchConnector = (stytch: StytchLike, options: StytchConnectorOptions = {}) =>
  ({
    id: options.id ?? 'stytch',
    async fetchCredentials({ forceRefresh, signal }) {
      if (signal.aborted) throw abortError(signal)
      // With nobody signed in, a forced refresh would only send a request bound to fail.
      if (forceRefresh && stytch.session.getSync())
        try {
          await raceSignal(stytch.session.authenticate(), signal)
        } catch (error) {
          if (signal.aborted) throw error
          throw toKeywayStytchError(error)
        }
      // No expiresAt: keyway reads exp and iat from the token itself.
      const jwt = stytch.session.getTokens()?.session_jwt
      return jwt ? { token: jwt } : null
    },
    subscribe(onChange) {
      return stytch.session.onChange((session) => onChange(session?.user_id ?? null))
    },
    // forceClear: signed out on this device even when Stytch cannot be reached.
    signOut: async () => void (await stytch.session.revoke({ forceClear: true })),
  }) satisfies Connector
