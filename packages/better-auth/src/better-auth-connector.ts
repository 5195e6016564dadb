import { type Connector, KeywayError, raceSignal } from '@keyway/core'
import { toKeywayBetterAuthError } from './better-auth-errors.js'

/** What the jwt plugin's `token()` resolves with (better-fetch's data-or-error pair). */
export type BetterAuthTokenResult = {
  data: { token?: string } | null
  error: { status: number; statusText?: string; message?: string } | null
}

/** The parts of a Better Auth client (`createAuthClient({ plugins: [jwtClient()] })`) the connector uses. */
export interface BetterAuthClientLike {
  /** GET /token of the jwt plugin: the session's JWT. */
  token(options?: {
    fetchOptions?: { signal?: AbortSignal; cache?: RequestCache }
  }): Promise<BetterAuthTokenResult>
  /** POST /sign-out: ends the server session (optional so read-only clients still fit). */
  signOut?(): Promise<unknown>
  $store: {
    atoms: Record<string, { listen?(cb: (value: unknown) => void): () => void } | undefined>
  }
}

/**
 * Options of {@link betterAuthConnector}.
 *
 * @example
 * ```ts
 * const options: BetterAuthConnectorOptions = { id: 'neon-auth' }
 * ```
 */
export interface BetterAuthConnectorOptions {
  /** Connector id. Default `'better-auth'`. */
  id?: string
}

/** The user of a session-atom value: `null` when nobody is signed in. */
function userIdOf(value: unknown): string | null {
  const data = (value as { data?: { user?: { id?: string } } | null } | undefined)?.data
  return data?.user?.id ?? null
}

/**
 * A connector over the Better Auth client with the jwt plugin: each fetch asks the server
 * for the session's JWT (`GET /api/auth/token`, `sub` = the user id), verifiable at
 * `/api/auth/jwks`. A 401 answers `null` (signed out); other failures map by
 * {@link toKeywayBetterAuthError}. `subscribe` tells the session atom's user each time it
 * settles; a failed session poll (network, 5xx) tells nothing.
 *
 * @example
 * ```ts
 * const authClient = createAuthClient({ plugins: [jwtClient()] })
 * const session = createSession({ connector: betterAuthConnector(authClient) })
 * ```
 */
export const betterAuthConnector = (
  client: BetterAuthClientLike,
  options: BetterAuthConnectorOptions = {},
) =>
  ({
    id: options.id ?? 'better-auth',
    async fetchCredentials({ signal }) {
      let result: BetterAuthTokenResult
      try {
        result = await raceSignal(
          client.token({ fetchOptions: { signal, cache: 'no-store' } }),
          signal,
        )
      } catch (cause) {
        if (signal.aborted)
          throw new KeywayError('ERR_ABORTED', 'The token request was aborted', { cause })
        // A client whose fetch throws its HTTP errors (Neon Auth's `@neondatabase/auth`
        // throws an AuthApiError with the status) answered: read it as the `error` it stands for.
        if (typeof (cause as { status?: unknown } | null)?.status !== 'number')
          throw new KeywayError('ERR_NETWORK', 'Better Auth could not be reached', { cause })
        result = { data: null, error: cause as NonNullable<BetterAuthTokenResult['error']> }
      }
      const { data, error } = result
      if (error?.status === 401) return null
      if (error) throw toKeywayBetterAuthError(error)
      if (!data?.token)
        throw new KeywayError('ERR_PROVIDER', 'Better Auth answered without a token', {
          transient: false,
        })
      return { token: data.token }
    },
    subscribe(onChange) {
      const atom = client.$store.atoms.session
      if (!atom?.listen) return () => {}
      return atom.listen((value) => {
        const state = value as { isPending?: boolean; error?: { status?: number } | null }
        if (state?.isPending) return
        // A failed session poll keeps the last data and says nothing about the user.
        if (state?.error && state.error.status !== 401) return
        onChange(userIdOf(value))
      })
    },
    async signOut() {
      await client.signOut?.()
    },
  }) satisfies Connector
