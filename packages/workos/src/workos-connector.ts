import { type Connector, KeywayError, raceSignal } from '@keyway/core'
import { createClient, LoginRequiredError } from '@workos-inc/authkit-js'
import { toKeywayWorkOSError } from './workos-errors.js'

/**
 * The AuthKit client (`createClient` from `@workos-inc/authkit-js`).
 *
 * @example
 * ```ts
 * const authkit: AuthKitClient = await connector.client
 * ```
 */
export type AuthKitClient = Awaited<ReturnType<typeof createClient>>

/**
 * The options of AuthKit's `createClient` (its interface is not exported by name).
 *
 * @example
 * ```ts
 * const options: AuthKitClientOptions = { redirectUri: `${location.origin}/callback` }
 * ```
 */
export type AuthKitClientOptions = NonNullable<Parameters<typeof createClient>[1]>

/**
 * `createClient` options, plus the connector id.
 *
 * @example
 * ```ts
 * const options: WorkOSConnectorOptions = { id: 'workos', apiHostname: 'auth.example.com' }
 * ```
 */
export interface WorkOSConnectorOptions extends AuthKitClientOptions {
  /** Connector id. Default `'workos'`. */
  id?: string
}

/**
 * A connector that also hands out the AuthKit client it created, for `signIn()` and friends.
 *
 * @example
 * ```ts
 * const connector: WorkOSConnector = workosConnector('client_01ABC')
 * await (await connector.client).signIn()
 * ```
 */
export interface WorkOSConnector extends Connector {
  /** Resolves once AuthKit has restored its session (or found none). */
  readonly client: Promise<AuthKitClient>
  /** Ends the session at WorkOS without leaving the page (`signOut({ navigate: false })`). */
  signOut(): Promise<void>
}

/**
 * A connector over WorkOS AuthKit (`@workos-inc/authkit-js`): the access token
 * (`getAccessToken()`), verifiable at `https://api.workos.com/sso/jwks/<clientId>`.
 *
 * It creates the AuthKit client itself (`createClient(clientId, options)`), because AuthKit
 * reports sessions only through the `onRefresh` / `onRefreshFailure` options; yours are
 * still called.
 *
 * - waits for `createClient` (AuthKit restoring its session) before the first answer;
 * - `forceRefresh` maps to `getAccessToken({ forceRefresh: true })`;
 * - `LoginRequiredError` (no session, or the refresh token is dead) answers `null`;
 * - `subscribe` fires when a refresh brings another user, when AuthKit gives up the session,
 *   and on `signOut()`.
 *
 * @example
 * ```ts
 * const connector = workosConnector('client_01ABC', { redirectUri: location.origin })
 * const session = createSession({ connector })
 * document.querySelector('#sign-in')!.addEventListener('click', async () => {
 *   await (await connector.client).signIn()
 * })
 * ```
 */
export function workosConnector(
  clientId: string,
  options: WorkOSConnectorOptions = {},
): WorkOSConnector {
  const { id = 'workos', onRefresh, onRefreshFailure, ...clientOptions } = options
  const listeners = new Set<() => void>()
  // `undefined` until AuthKit has told who is signed in: its first answer is no change.
  let user: string | null | undefined
  const observe = (next: string | null) => {
    const changed = user !== undefined && next !== user
    user = next
    if (changed) for (const listener of [...listeners]) listener()
  }

  const client = createClient(clientId, {
    ...clientOptions,
    onRefresh(response) {
      observe(response.user.id)
      onRefresh?.(response)
    },
    onRefreshFailure(args) {
      observe(null)
      onRefreshFailure?.(args)
    },
  }).then((c) => {
    if (user === undefined) user = c.getUser()?.id ?? null
    return c
  })
  const ready = client.catch((error: unknown) => {
    throw new KeywayError('ERR_CONFIG', 'AuthKit could not start', {
      transient: false,
      cause: error,
    })
  })
  ready.catch(() => {}) // reported by fetchCredentials, not as an unhandled rejection

  return {
    id,
    client,
    async fetchCredentials({ forceRefresh, signal }) {
      const authkit = await raceSignal(ready, signal)
      try {
        // With nobody signed in, a forced refresh would only send a request bound to fail.
        const force = forceRefresh && authkit.getUser() !== null
        // No expiresAt: keyway reads exp and iat from the token itself.
        return { token: await raceSignal(authkit.getAccessToken({ forceRefresh: force }), signal) }
      } catch (error) {
        if (signal.aborted) throw error
        // No session, or AuthKit dropped it after a final refresh failure (revoked, expired).
        if (error instanceof LoginRequiredError) return null
        throw toKeywayWorkOSError(error)
      }
    },
    subscribe(onChange) {
      listeners.add(onChange)
      return () => void listeners.delete(onChange)
    },
    async signOut() {
      const authkit = await ready
      // navigate: false ends the session at WorkOS without leaving the page.
      if (authkit.getUser()) await authkit.signOut({ navigate: false })
      observe(null)
    },
  }
}
