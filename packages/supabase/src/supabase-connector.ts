import { type Connector, raceSignal } from '@keyway/core'
import type { SupabaseClient } from '@supabase/supabase-js'
import { toKeywaySupabaseError } from './supabase-errors.js'

/** The part of a supabase-js client the connector uses. */
export type SupabaseAuthLike = Pick<SupabaseClient, 'auth'>

/**
 * Options of {@link supabaseConnector}.
 *
 * @example
 * ```ts
 * const options: SupabaseConnectorOptions = { id: 'supabase-eu' }
 * ```
 */
export interface SupabaseConnectorOptions {
  /** Connector id. Default `'supabase'`. */
  id?: string
}

/**
 * A connector over Supabase Auth (supabase-js): the session's access token, verifiable at
 * `<project>/auth/v1/.well-known/jwks.json` (asymmetric signing keys).
 *
 * - `getSession()` waits for supabase-js to restore its session: no false signed-out at start;
 * - `forceRefresh` maps to `refreshSession()`;
 * - `subscribe` tells the session's user (`sub`) on every `onAuthStateChange`.
 * Create the client with `autoRefreshToken: false`: keyway schedules the refresh (one per
 * origin, jittered, before expiry) and supabase-js must not rotate the refresh token behind it.
 *
 * @example
 * ```ts
 * const supabase = createClient(url, anonKey, { auth: { autoRefreshToken: false } })
 * const session = createSession({ connector: supabaseConnector(supabase) })
 * ```
 */
export const supabaseConnector = (
  client: SupabaseAuthLike,
  options: SupabaseConnectorOptions = {},
) =>
  ({
    id: options.id ?? 'supabase',
    async fetchCredentials({ forceRefresh, signal }) {
      const { auth } = client
      const current = await raceSignal(auth.getSession(), signal)
      if (current.error) throw toKeywaySupabaseError(current.error)
      if (!current.data.session) return null
      if (!forceRefresh) return { token: current.data.session.access_token }
      const refreshed = await raceSignal(auth.refreshSession(), signal)
      if (refreshed.error) {
        if (refreshed.error.name === 'AuthSessionMissingError') return null
        throw toKeywaySupabaseError(refreshed.error)
      }
      return refreshed.data.session ? { token: refreshed.data.session.access_token } : null
    },
    subscribe(onChange) {
      // A retryable refresh failure emits nothing: supabase-js keeps the session.
      const { data } = client.auth.onAuthStateChange((_event, session) =>
        onChange(session?.user.id ?? null),
      )
      return () => data.subscription.unsubscribe()
    },
    async signOut() {
      await client.auth.signOut()
    },
  }) satisfies Connector
