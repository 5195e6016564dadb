import { type Connector, KeywayError, raceSignal } from '@keyway/core'
import { toKeywayClerkError } from './clerk-errors.js'

/**
 * The part of a Clerk session the connector uses: `getToken`, with Clerk's own token cache.
 *
 * @example
 * ```ts
 * const session: ClerkSessionLike | null | undefined = clerk.session
 * ```
 */
export interface ClerkSessionLike {
  readonly id: string
  /** The session's user: its id is the `sub` of the session's tokens. */
  readonly user?: { readonly id: string } | null
  getToken(options?: { template?: string; skipCache?: boolean }): Promise<string | null>
}

/**
 * What `clerk.status` reports; `ready` and `degraded` mean loaded.
 *
 * @example
 * ```ts
 * clerk.on('status', (status: ClerkStatusLike) => console.log(status))
 * ```
 */
export type ClerkStatusLike = 'loading' | 'ready' | 'degraded' | 'error'

/**
 * The part of a `Clerk` instance (`@clerk/clerk-js`, or `window.Clerk`) the connector uses.
 * The real class satisfies it (pinned by `clerk-types.test-d.ts`).
 *
 * @example
 * ```ts
 * const clerk: ClerkLike = new Clerk('pk_live_…')
 * ```
 */
export interface ClerkLike {
  readonly loaded: boolean
  readonly session: ClerkSessionLike | null | undefined
  addListener(
    listener: (resources: { session?: ClerkSessionLike | null }) => void,
    options?: { skipInitialEmit?: boolean },
  ): () => void
  on(
    event: 'status',
    handler: (status: ClerkStatusLike) => void,
    options?: { notify: boolean },
  ): void
  off(event: 'status', handler: (status: ClerkStatusLike) => void): void
  signOut(): Promise<void>
}

/**
 * Options of {@link clerkConnector}.
 *
 * @example
 * ```ts
 * const options: ClerkConnectorOptions = { id: 'clerk-supabase', template: 'supabase' }
 * ```
 */
export interface ClerkConnectorOptions {
  /** Connector id. Default `'clerk'`. */
  id?: string
  /**
   * A JWT template from the Clerk dashboard (`getToken({ template })`), for backends that
   * need other claims than the session token (an `aud`, a `role`). Default: the session token.
   */
  template?: string
}

/** Resolves once Clerk has loaded (and restored its session); rejects when it failed to load. */
function whenLoaded(clerk: ClerkLike, signal: AbortSignal): Promise<void> {
  if (clerk.loaded) return Promise.resolve()
  let onStatus: (status: ClerkStatusLike) => void = () => {}
  const loaded = new Promise<void>((resolve, reject) => {
    onStatus = (status) => {
      if (status === 'ready' || status === 'degraded') resolve()
      else if (status === 'error')
        reject(new KeywayError('ERR_PROVIDER', 'Clerk failed to load', { transient: true }))
    }
    // notify: a status Clerk reported before this call is replayed at once.
    clerk.on('status', onStatus, { notify: true })
  })
  return raceSignal(loaded, signal).finally(() => clerk.off('status', onStatus))
}

/**
 * A connector over Clerk (`@clerk/clerk-js`): the session token (`session.getToken()`), or
 * a JWT template's token, verifiable at `https://<frontend-api>/.well-known/jwks.json`.
 *
 * - waits until Clerk has loaded, so a restored session is never answered as signed out;
 * - `forceRefresh` maps to `getToken({ skipCache: true })`;
 * - `subscribe` tells the active session's user (or `null`) each time Clerk emits.
 *
 * @example
 * ```ts
 * const clerk = new Clerk('pk_live_…')
 * void clerk.load()
 * const session = createSession({ connector: clerkConnector(clerk) })
 * ```
 */
export const clerkConnector = (clerk: ClerkLike, options: ClerkConnectorOptions = {}) =>
  ({
    id: options.id ?? 'clerk',
    async fetchCredentials({ forceRefresh, signal }) {
      await whenLoaded(clerk, signal)
      const session = clerk.session
      if (!session) return null
      try {
        const request = session.getToken({ template: options.template, skipCache: forceRefresh })
        // No expiresAt: keyway reads exp and iat from the token itself.
        const token = await raceSignal(request, signal)
        // getToken answers null once the session has no user: signed out, not a failure.
        return token ? { token } : null
      } catch (error) {
        if (signal.aborted) throw error
        throw toKeywayClerkError(error)
      }
    },
    subscribe(onChange) {
      // `undefined`: Clerk has not loaded, it knows nobody yet. Token refreshes emit the same
      // user; the session decides what is a change.
      return clerk.addListener(({ session }) => {
        if (session !== undefined) onChange(session ? session.user?.id : null)
      })
    },
    signOut: () => clerk.signOut(),
  }) satisfies Connector
