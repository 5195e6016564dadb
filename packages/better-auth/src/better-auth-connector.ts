import { type Connector, decodeJwt, KeywayError, raceSignal } from '@keyway/core'

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

function userIdOf(value: unknown): string | null {
  const data = (value as { data?: { user?: { id?: string } } | null } | undefined)?.data
  return data?.user?.id ?? null
}

/**
 * A connector over the Better Auth client with the jwt plugin: each fetch asks the server
 * for the session's JWT (`GET /api/auth/token`), verifiable at `/api/auth/jwks`.
 *
 * | Better Auth answers | connector |
 * |---|---|
 * | a token | credentials |
 * | 401 (no session, revoked session) | `null`: signed out |
 * | 429, 5xx, network error | transient |
 * | other 4xx | final `ERR_PROVIDER` |
 *
 * @example
 * ```ts
 * const authClient = createAuthClient({ plugins: [jwtClient()] })
 * const session = createSession({ connector: betterAuthConnector(authClient) })
 * ```
 */
export const betterAuthConnector = (
  client: BetterAuthClientLike,
  options: { id?: string } = {},
) => {
  // The user behind the last answer (undefined until the first one): a session-atom update
  // is a change only when its user differs from what the session was last handed.
  let answeredUser: string | null | undefined
  return {
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
      if (error) {
        if (error.status === 401) {
          answeredUser = null
          return null
        }
        const transient = error.status === 0 || error.status === 429 || error.status >= 500
        throw new KeywayError('ERR_PROVIDER', `Better Auth answered ${error.status}`, {
          transient,
          cause: error,
        })
      }
      if (!data?.token)
        throw new KeywayError('ERR_PROVIDER', 'Better Auth answered without a token', {
          transient: false,
        })
      answeredUser = subjectOf(data.token)
      return { token: data.token }
    },
    subscribe(onChange) {
      // The session atom settles after sign-in, sign-out, user switch and its own polling;
      // fire only when the settled user is not the one the session was last handed. Before any
      // answer the user is unknown, so the first settled value counts as a change.
      const atom = client.$store.atoms.session
      if (!atom?.listen) return () => {}
      return atom.listen((value) => {
        const state = value as { isPending?: boolean; error?: { status?: number } | null }
        if (state?.isPending) return
        // A failed session fetch (network, 5xx) keeps the last data: it is no sign-out.
        if (state?.error && state.error.status !== 401) return
        const next = userIdOf(value)
        if (next === answeredUser) return
        answeredUser = next
        onChange()
      })
    },
    async signOut() {
      await client.signOut?.()
    },
  } satisfies Connector
}

function subjectOf(token: string): string | null | undefined {
  try {
    return decodeJwt(token).payload.sub ?? undefined
  } catch {
    return undefined
  }
}
