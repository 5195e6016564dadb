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
 * - `subscribe` tells the session's user (`sub`) on every `onAuthStateChange`, except what the
 *   SDK reports during one of the connector's calls that failed transiently;
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
  let last: { access_token: string; refresh_token: string } | undefined
  let rescue: typeof last
  // What onAuthStateChange reported during one of the connector's calls: told once the call
  // did not fail transiently (a SIGNED_OUT from the SDK's own teardown is no sign-out).
  let calls = 0
  const held: Array<() => void> = []

  async function call<T extends { error: unknown }>(run: () => Promise<T>, signal: AbortSignal) {
    calls++
    let failed = false
    try {
      const result = await raceSignal(run(), signal)
      failed = !!result.error && toKeywaySupabaseError(result.error).transient
      return result
    } finally {
      const report = --calls === 0 ? held.splice(0) : []
      if (failed) rescue ??= last
      else for (const tell of report) tell()
    }
  }
  const answer = (session: { access_token: string; refresh_token: string } | null) => {
    last = session
      ? { access_token: session.access_token, refresh_token: session.refresh_token }
      : undefined
    return session ? { token: session.access_token } : null
  }

  return {
    id: options.id ?? 'supabase',
    async fetchCredentials({ forceRefresh, signal }) {
      const current = await call(() => auth.getSession(), signal)
      if (current.error) throw toKeywaySupabaseError(current.error)
      if (!current.data.session && rescue) {
        const kept = rescue
        const restored = await call(() => auth.setSession(kept), signal)
        if (restored.error) {
          const error = toKeywaySupabaseError(restored.error)
          if (!error.transient) rescue = undefined
          throw error
        }
        rescue = undefined
        return answer(restored.data.session)
      }
      // The SDK still has its session (or was signed out): nothing to hand back.
      rescue = undefined
      if (!current.data.session || !forceRefresh) return answer(current.data.session)
      const refreshed = await call(() => auth.refreshSession(), signal)
      if (refreshed.error) {
        if (refreshed.error.name === 'AuthSessionMissingError') return null
        throw toKeywaySupabaseError(refreshed.error)
      }
      return answer(refreshed.data.session)
    },
    subscribe(onChange) {
      // A retryable refresh failure emits nothing: supabase-js keeps the session.
      const { data } = auth.onAuthStateChange((_event, session) => {
        const tell = () => {
          // A sign-out the app made elsewhere: the kept tokens are not to be handed back.
          if (!session) rescue = undefined
          onChange(session?.user.id ?? null)
        }
        if (calls > 0) held.push(tell)
        else tell()
      })
      return () => data.subscription.unsubscribe()
    },
    async signOut() {
      rescue = undefined
      await auth.signOut()
    },
  } satisfies Connector
}
