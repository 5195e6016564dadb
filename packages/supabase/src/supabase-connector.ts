import { type Connector, raceSignal } from '@keyway/core'
import type { SupabaseClient } from '@supabase/supabase-js'
import { toKeywaySupabaseError } from './supabase-errors.js'

type Tokens = { access_token: string; refresh_token: string }
type Answer = { data: { session: Tokens | null }; error: { name: string } | null }

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
 * - `subscribe` tells the session's user (`sub`) on every `onAuthStateChange`, except a
 *   sign-out reported during one of the connector's own calls (their answer says it);
 * - when supabase-js deletes its session after such a failure (a 429 once the access token
 *   expired), the next call hands the kept tokens back with `setSession()`.
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
) => {
  const { auth } = client
  // The tokens of the last session the SDK answered with. supabase-js deletes its session
  // when a refresh fails for a reason it deems final and the access token has expired, a 429
  // included (GoTrueClient `_callRefreshToken`); for a transient one the connector keeps
  // these (`rescue`) and hands them back with `setSession()` on its next call.
  let last: Tokens | null | undefined
  let rescue: Tokens | null | undefined
  // A SIGNED_OUT during one of the connector's calls is the SDK's own teardown: not passed on
  // (the call's own answer says whether the session ended).
  let calls = 0

  /** One SDK call: its session (`null`: none), or its error mapped. */
  async function call(run: () => Promise<Answer>, signal: AbortSignal) {
    calls++
    try {
      const { data, error } = await raceSignal(run(), signal)
      if (error && error.name !== 'AuthSessionMissingError') {
        const mapped = toKeywaySupabaseError(error)
        // The latest tokens, never an older pair: a rotated refresh token handed back is a reuse.
        if (mapped.transient) rescue = last
        throw mapped
      }
      last = data.session
      return last
    } finally {
      calls--
    }
  }

  return {
    id: options.id ?? 'supabase',
    async fetchCredentials({ forceRefresh, signal }) {
      let session = await call(() => auth.getSession(), signal)
      if (session && forceRefresh) session = await call(() => auth.refreshSession(), signal)
      else if (!session && rescue) {
        const kept = rescue
        last = kept
        rescue = null
        session = await call(() => auth.setSession(kept), signal)
      }
      return session ? { token: session.access_token } : null
    },
    subscribe(onChange) {
      // A retryable refresh failure emits nothing: supabase-js keeps the session.
      const { data } = auth.onAuthStateChange((_event, session) => {
        if (session) return onChange(session.user.id)
        if (calls) return
        // A sign-out the app made elsewhere: the kept tokens are not to be handed back.
        rescue = null
        onChange(null)
      })
      return () => data.subscription.unsubscribe()
    },
    async signOut() {
      await auth.signOut()
    },
  } satisfies Connector
}
