import { isKeywayError, type Session } from '@keyway/core'

/**
 * The `accessToken` option of supabase-js for third-party auth (Clerk, Firebase, Auth0,
 * WorkOS… tokens sent to Supabase): answers from the session's cache, refreshed before
 * expiry, instead of asking the provider on every request; `null` when signed out.
 * Pair it with `global: { fetch: authFetch(session) }` so a 401 is retried once.
 *
 * @example
 * ```ts
 * const supabase = createClient(url, anonKey, {
 *   accessToken: supabaseAccessToken(session),
 *   global: { fetch: authFetch(session) },
 * })
 * ```
 */
export function supabaseAccessToken(session: Session): () => Promise<string | null> {
  return async () => {
    try {
      return await session.getToken()
    } catch (error) {
      if (isKeywayError(error, 'ERR_SIGNED_OUT')) return null
      throw error
    }
  }
}
