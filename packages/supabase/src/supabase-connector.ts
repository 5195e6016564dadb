import { type Connector, raceSignal } from '@keyway/core'
import type { SupabaseClient } from '@supabase/supabase-js'
import { toKeywayError } from './supabase-errors.js'

/** The part of a supabase-js client the connector uses. */
export type SupabaseAuthLike = Pick<SupabaseClient, 'auth'>

/**
 * A connector over Supabase Auth (supabase-js): the session's access token, verifiable at
 * `<project>/auth/v1/.well-known/jwks.json` (asymmetric signing keys).
 *
 * - `getSession()` waits for supabase-js to restore its session: no false signed-out at start;
 * - `forceRefresh` maps to `refreshSession()`;
 * - `subscribe` fires on `onAuthStateChange` when the user changes (not on token refreshes).
 * Create the client with `autoRefreshToken: false`: keyway schedules the refresh (one per
 * origin, jittered, before expiry) and supabase-js must not rotate the refresh token behind it.
 *
 * @example
 * ```ts
 * const supabase = createClient(url, anonKey, { auth: { autoRefreshToken: false } })
 * const session = createSession({ connector: supabaseConnector(supabase) })
 * ```
 */
export const supabaseConnector = (client: SupabaseAuthLike, options: { id?: string } = {}) =>
  ({
    id: options.id ?? 'supabase',
    async fetchCredentials({ forceRefresh, signal }) {
      const { auth } = client
      const current = await raceSignal(auth.getSession(), signal)
      if (current.error) throw toKeywayError(current.error)
      if (!current.data.session) return null
      if (!forceRefresh) return { token: current.data.session.access_token }
      const refreshed = await raceSignal(auth.refreshSession(), signal)
      if (refreshed.error) {
        if (refreshed.error.name === 'AuthSessionMissingError') return null
        throw toKeywayError(refreshed.error)
      }
      return refreshed.data.session ? { token: refreshed.data.session.access_token } : null
    },
    subscribe(onChange) {
      let user: string | null | undefined
      const { data } = client.auth.onAuthStateChange((_event, session) => {
        const next = session?.user.id ?? null
        if (user === undefined || next === user) {
          user = next
          return
        }
        user = next
        onChange()
      })
      return () => data.subscription.unsubscribe()
    },
    async signOut() {
      await client.auth.signOut()
    },
  }) satisfies Connector
