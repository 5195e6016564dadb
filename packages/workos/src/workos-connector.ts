import { type Connector, raceSignal } from '@keyway/core'
import {
  type createClient,
  LoginRequiredError,
  type OnRefreshResponse,
} from '@workos-inc/authkit-js'
import { toKeywayWorkOSError } from './workos-errors.js'

/**
 * The AuthKit client (`await createClient(…)` from `@workos-inc/authkit-js`).
 *
 * @example
 * ```ts
 * const authkit: AuthKitClient = await createClient('client_01ABC')
 * ```
 */
export type AuthKitClient = Awaited<ReturnType<typeof createClient>>

/** The parts of an AuthKit client the connector uses. */
export type AuthKitClientLike = Pick<AuthKitClient, 'getAccessToken' | 'getUser' | 'signOut'>

/**
 * AuthKit's user reports, for `createClient`'s options and the connector's `subscribe`:
 * AuthKit tells who is signed in only through the `onRefresh` / `onRefreshFailure` options
 * of `createClient`, so the app passes these there and the same object to the connector.
 *
 * @example
 * ```ts
 * const events = authkitUserEvents()
 * const authkit = await createClient(clientId, { redirectUri, ...events })
 * const connector = workosConnector(authkit, { events })
 * ```
 */
export interface AuthKitUserEvents {
  /** For `createClient`: each refresh tells its user. */
  onRefresh(response: OnRefreshResponse): void
  /** For `createClient`: AuthKit gave the session up (a final refresh failure, a sign-out). */
  onRefreshFailure(): void
  /** Calls `listener` with the user of each report (`null` once the session is gone). */
  subscribe(listener: (userId: string | null) => void): () => void
}

/**
 * Makes the {@link AuthKitUserEvents} to pass to `createClient` and to `workosConnector`.
 *
 * @example
 * ```ts
 * const events = authkitUserEvents()
 * const authkit = await createClient(clientId, { ...events, onRedirectCallback })
 * ```
 */
export function authkitUserEvents(): AuthKitUserEvents {
  const listeners = new Set<(userId: string | null) => void>()
  const tell = (userId: string | null) => {
    for (const listener of [...listeners]) listener(userId)
  }
  return {
    onRefresh: (response) => tell(response.user.id),
    // AuthKit calls it only for a final failure: a transient one (network, 5xx) tells nothing.
    onRefreshFailure: () => tell(null),
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}

/**
 * Options of {@link workosConnector}.
 *
 * @example
 * ```ts
 * const options: WorkOSConnectorOptions = { id: 'workos', events: authkitUserEvents() }
 * ```
 */
export interface WorkOSConnectorOptions {
  /** Connector id. Default `'workos'`. */
  id?: string
  /** The reports also passed to `createClient`: without them the connector has no `subscribe`. */
  events?: AuthKitUserEvents
}

/**
 * A connector over WorkOS AuthKit (`@workos-inc/authkit-js`): the access token
 * (`getAccessToken()`, `sub` = the user id), verifiable at
 * `https://api.workos.com/sso/jwks/<clientId>`.
 *
 * - `forceRefresh` maps to `getAccessToken({ forceRefresh: true })`;
 * - `LoginRequiredError` (no session, or the refresh token is dead) answers `null`;
 * - `subscribe` (with `options.events`) tells the user of each AuthKit refresh, and `null`
 *   when AuthKit gives the session up or `signOut()` ends it.
 *
 * @example
 * ```ts
 * const events = authkitUserEvents()
 * const authkit = await createClient('client_01ABC', { redirectUri: location.origin, ...events })
 * const session = createSession({ connector: workosConnector(authkit, { events }) })
 * ```
 */
export const workosConnector = (
  client: AuthKitClientLike,
  options: WorkOSConnectorOptions = {},
) => {
  const { events } = options
  return {
    id: options.id ?? 'workos',
    async fetchCredentials({ forceRefresh, signal }) {
      try {
        // With nobody signed in, a forced refresh would only send a request bound to fail.
        const force = forceRefresh && client.getUser() !== null
        // No expiresAt: keyway reads exp and iat from the token itself.
        return { token: await raceSignal(client.getAccessToken({ forceRefresh: force }), signal) }
      } catch (error) {
        if (signal.aborted) throw error
        // No session, or AuthKit dropped it after a final refresh failure (revoked, expired).
        if (error instanceof LoginRequiredError) return null
        throw toKeywayWorkOSError(error)
      }
    },
    ...(events && {
      subscribe: (onChange: (userId: string | null) => void) => events.subscribe(onChange),
    }),
    async signOut() {
      // navigate: false ends the session at WorkOS without leaving the page.
      if (client.getUser()) await client.signOut({ navigate: false })
      // AuthKit reports no sign-out of its own: say it as its final refresh failure would.
      events?.onRefreshFailure()
    },
  } satisfies Connector
}
