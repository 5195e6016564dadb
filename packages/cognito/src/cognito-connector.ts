import { signOut } from '@aws-amplify/auth'
import { type AuthSession, type FetchAuthSessionOptions, Hub } from '@aws-amplify/core'
import { type Connector, raceSignal } from '@keyway/core'
import { toKeywayCognitoError } from './cognito-errors.js'

/**
 * The part of the `Amplify` singleton (`aws-amplify` or `@aws-amplify/core`) the connector
 * uses, once the app has called `Amplify.configure()` with a Cognito user pool.
 *
 * @example
 * ```ts
 * const amplify: AmplifyLike = Amplify
 * ```
 */
export interface AmplifyLike {
  readonly Auth: {
    fetchAuthSession(options?: FetchAuthSessionOptions): Promise<AuthSession>
  }
}

/**
 * Options of {@link cognitoConnector}.
 *
 * @example
 * ```ts
 * const options: CognitoConnectorOptions = { id: 'cognito-id', token: 'id' }
 * ```
 */
export interface CognitoConnectorOptions {
  /** Connector id. Default `'cognito'`. */
  id?: string
  /**
   * Which user pool token goes to the backend: the access token (no `aud`; `client_id`
   * names the app client) or the ID token (`aud` = the app client id). Default `'access'`.
   */
  token?: 'access' | 'id'
}

/**
 * A connector over Amazon Cognito user pools through Amplify v6 (`@aws-amplify/auth`): the
 * access token (or ID token) of `fetchAuthSession()`, verifiable at
 * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>/.well-known/jwks.json`.
 *
 * - `forceRefresh` maps to `fetchAuthSession({ forceRefresh: true })` (a refresh-token call);
 * - no tokens (nobody signed in, or Amplify dropped a dead refresh token) answers `null`;
 * - `subscribe` follows Hub's `auth` channel: `signedIn` with the user's `sub`, `signedOut`,
 *   and a refresh that failed for good; a refresh that failed for the network says nothing.
 *
 * @example
 * ```ts
 * Amplify.configure(outputs)
 * const session = createSession({ connector: cognitoConnector(Amplify) })
 * ```
 */
export const cognitoConnector = (amplify: AmplifyLike, options: CognitoConnectorOptions = {}) =>
  ({
    id: options.id ?? 'cognito',
    async fetchCredentials({ forceRefresh, signal }) {
      try {
        const { tokens } = await raceSignal(amplify.Auth.fetchAuthSession({ forceRefresh }), signal)
        const jwt = options.token === 'id' ? tokens?.idToken : tokens?.accessToken
        // No expiresAt: keyway reads exp and iat from the token itself.
        return jwt ? { token: jwt.toString() } : null
      } catch (error) {
        if (signal.aborted) throw error
        throw toKeywayCognitoError(error)
      }
    },
    subscribe(onChange) {
      return Hub.listen('auth', ({ payload }) => {
        if (payload.event === 'signedIn') onChange(payload.data.userId)
        else if (payload.event === 'signedOut') onChange(null)
        // Amplify cleared its tokens: nobody is signed in any more. A transient failure
        // (network, 5xx) says nothing about the user.
        else if (
          payload.event === 'tokenRefresh_failure' &&
          !toKeywayCognitoError(payload.data?.error).transient
        )
          onChange(null)
      })
    },
    signOut: () => signOut(),
  }) satisfies Connector
