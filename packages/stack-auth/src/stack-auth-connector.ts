import { abortError, type Connector, raceSignal } from '@keyway/core'
import { toKeywayStackAuthError } from './stack-auth-errors.js'

/**
 * The part of a Stack Auth client app (`new StackClientApp({ projectId, … })` from
 * `@stackframe/js`) the connector uses. The real app satisfies it (pinned by
 * `stack-auth-types.test-d.ts`).
 *
 * @example
 * ```ts
 * const app: StackAuthLike = new StackClientApp({ projectId, publishableClientKey, tokenStore: 'cookie' })
 * ```
 */
export interface StackAuthLike {
  getConvexClientAuth(
    options: object,
  ): (args: { forceRefreshToken: boolean }) => Promise<string | null>
  signOut(): Promise<void>
}

/**
 * Options of {@link stackAuthConnector}.
 *
 * @example
 * ```ts
 * const options: StackAuthConnectorOptions = { id: 'stack-auth' }
 * ```
 */
export interface StackAuthConnectorOptions {
  /** Connector id. Default `'stack-auth'`. */
  id?: string
}

/**
 * A connector over Stack Auth (`@stackframe/js`): the access token of the app's current
 * session, verifiable at `<api>/api/v1/projects/<project id>/.well-known/jwks.json`.
 *
 * - `forceRefresh: false` answers what `getAccessToken()` answers, from the same token store:
 *   the cached token while it has 20 s left and is under 75 s old, else a refresh;
 * - `forceRefresh: true` always refreshes. Both go through the app's token getter
 *   `getConvexClientAuth()`, the SDK's one public call that can force a refresh (and one that
 *   does not fetch `/users/me` first, as `getAccessToken()` does);
 * - `null` is signed out: no refresh token, or Stack Auth refused it;
 * - no `subscribe`: `@stackframe/js` has no public event for a user change (its token store
 *   is internal; only `@stackframe/react`'s hooks follow it). The session learns of a
 *   sign-out or a user switch made outside it on its next fetch.
 *
 * @example
 * ```ts
 * const app = new StackClientApp({ projectId, publishableClientKey, tokenStore: 'cookie' })
 * const session = createSession({ connector: stackAuthConnector(app) })
 * ```
 */
export function stackAuthConnector(app: StackAuthLike, options: StackAuthConnectorOptions = {}) {
  // The app's own token store ('cookie', 'memory', …): the one getAccessToken() reads.
  const getToken = app.getConvexClientAuth({})
  return {
    id: options.id ?? 'stack-auth',
    async fetchCredentials({ forceRefresh, signal }) {
      if (signal.aborted) throw abortError(signal)
      try {
        const token = await raceSignal(getToken({ forceRefreshToken: forceRefresh }), signal)
        // No expiresAt: keyway reads exp and iat from the token itself.
        return token ? { token } : null
      } catch (error) {
        if (signal.aborted) throw error
        throw toKeywayStackAuthError(error)
      }
    },
    // Stack Auth redirects after signing out as the app's `redirectMethod` says.
    signOut: () => app.signOut(),
  } satisfies Connector
}
