import { isKeywayError, type Session } from '@keyway/core'

export interface SupabaseAccessTokenOptions {
  /**
   * Hand out only a token with at least this much life left, in ms. Realtime calls
   * `accessToken` on connect and on every heartbeat (25 s by default) and keeps the answer
   * until the next one, so the token must outlive that interval. Default 30 000: Realtime's
   * 25 s heartbeat plus 5 s for the round trip. Pass `heartbeatIntervalMs + 5_000` when you
   * change `realtime.heartbeatIntervalMs`.
   */
  minValidityMs?: number
}

/** Realtime's default heartbeat (25 s) and a 5 s margin for the round trip. */
const REALTIME_VALIDITY_MS = 30_000

/**
 * The `accessToken` option of supabase-js for third-party auth (Clerk, Firebase, Auth0,
 * WorkOS… tokens sent to Supabase): answers from the session's cache, refreshed before
 * expiry, instead of asking the provider on every request; `null` when signed out.
 * Every token it hands out outlives Realtime's next heartbeat (`minValidityMs`), so a
 * channel never holds a token that expires before the next one reaches it.
 * Pair it with `global: { fetch: authFetch(session) }` so a 401 is retried once.
 * Any other failure (a final error, no valid token while the provider is down, a disposed
 * session) is thrown: supabase-js turns it into the query's `{ error }` (`KeywayError: …`),
 * and Realtime keeps the token it has until its next heartbeat.
 *
 * @example
 * ```ts
 * const supabase = createClient(url, anonKey, {
 *   accessToken: supabaseAccessToken(session),
 *   global: { fetch: authFetch(session) },
 * })
 * ```
 */
export function supabaseAccessToken(
  session: Session,
  options: SupabaseAccessTokenOptions = {},
): () => Promise<string | null> {
  const minValidityMs = options.minValidityMs ?? REALTIME_VALIDITY_MS
  return async () => {
    try {
      return await session.getToken({ minValidityMs })
    } catch (error) {
      if (isKeywayError(error, 'ERR_SIGNED_OUT')) return null
      throw error
    }
  }
}
