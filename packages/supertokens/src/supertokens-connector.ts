import { type Connector, KeywayError, raceSignal } from '@keyway/core'
import { toKeywaySuperTokensError } from './supertokens-errors.js'

/**
 * The part of the SuperTokens session recipe (`import Session from
 * 'supertokens-web-js/recipe/session'`, after `SuperTokens.init`) the connector uses. The
 * real recipe satisfies it (pinned by `supertokens-types.test-d.ts`).
 *
 * @example
 * ```ts
 * const session: SuperTokensSessionLike = Session
 * ```
 */
export interface SuperTokensSessionLike {
  doesSessionExist(): Promise<boolean>
  getAccessToken(): Promise<string | undefined>
  getUserId(): Promise<string>
  attemptRefreshingSession(): Promise<boolean>
  signOut(): Promise<void>
}

/** The events of `Session.init({ onHandleEvent })` the connector reads. */
export type SuperTokensEvent = { action: string }

/**
 * Options of {@link superTokensConnector}.
 *
 * @example
 * ```ts
 * const options: SuperTokensConnectorOptions = { id: 'supertokens' }
 * ```
 */
export interface SuperTokensConnectorOptions {
  /** Connector id. Default `'supertokens'`. */
  id?: string
}

/**
 * A connector that takes SuperTokens' session events: pass `onHandleEvent` to `Session.init`.
 *
 * @example
 * ```ts
 * Session.init({ tokenTransferMethod: 'header', onHandleEvent: connector.onHandleEvent })
 * ```
 */
export interface SuperTokensConnector extends Connector {
  subscribe: NonNullable<Connector['subscribe']>
  onHandleEvent(event: SuperTokensEvent): void
}

// A session without a readable token is cookie mode, where no browser code sees the token.
const NO_TOKEN =
  "SuperTokens has a session but no readable token: use tokenTransferMethod: 'header'"

/**
 * A connector over SuperTokens (`supertokens-web-js`) in header mode: the access token
 * (`Session.getAccessToken()`), verifiable at `<core connection URI>/.well-known/jwks.json`.
 *
 * - `forceRefresh` calls `Session.attemptRefreshingSession()` first; `false` from it (the
 *   refresh token is used, expired or revoked: SuperTokens ended the session) answers `null`;
 * - `subscribe` follows the `onHandleEvent` events: `SESSION_CREATED` with the user id
 *   (`getUserId()`, the token's `sub`), `SIGN_OUT` and `UNAUTHORISED` with `null`.
 *
 * @example
 * ```ts
 * const connector = superTokensConnector(Session)
 * SuperTokens.init({
 *   appInfo: { appName: 'app', apiDomain: 'https://api.example.com' },
 *   recipeList: [Session.init({ tokenTransferMethod: 'header', onHandleEvent: connector.onHandleEvent })],
 * })
 * const session = createSession({ connector })
 * ```
 */
export function superTokensConnector(
  session: SuperTokensSessionLike,
  options: SuperTokensConnectorOptions = {},
): SuperTokensConnector {
  const listeners = new Set<(userId?: string | null) => void>()
  const tell = (userId?: string | null) => {
    for (const listener of [...listeners]) listener(userId)
  }
  return {
    id: options.id ?? 'supertokens',
    async fetchCredentials({ forceRefresh, signal }) {
      let token: string | undefined
      try {
        // doesSessionExist refreshes on its own when the front token says the access token expired.
        if (!(await raceSignal(session.doesSessionExist(), signal))) return null
        if (forceRefresh && !(await raceSignal(session.attemptRefreshingSession(), signal)))
          return null
        token = await raceSignal(session.getAccessToken(), signal)
      } catch (error) {
        if (signal.aborted) throw error
        throw toKeywaySuperTokensError(error)
      }
      // No expiresAt: keyway reads exp and iat from the token itself.
      if (token) return { token }
      throw new KeywayError('ERR_CONFIG', NO_TOKEN, { transient: false })
    },
    subscribe(onChange) {
      listeners.add(onChange)
      return () => void listeners.delete(onChange)
    },
    onHandleEvent({ action }) {
      if (action === 'SIGN_OUT' || action === 'UNAUTHORISED') tell(null)
      else if (action === 'SESSION_CREATED') session.getUserId().then(tell, () => tell(undefined))
    },
    signOut: () => session.signOut(),
  }
}
