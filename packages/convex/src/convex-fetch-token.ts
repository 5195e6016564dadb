import { type Credentials, decodeJwt, type Session } from '@keyway/core'
import { nextChange, settled } from './settled.js'

/** What `ConvexClient.setAuth` and `ConvexReactClient.setAuth` call. */
export type ConvexFetchToken = (args: { forceRefreshToken: boolean }) => Promise<string | null>

export interface ConvexFetchTokenOptions {
  /**
   * The client's `authRefreshTokenLeewaySeconds` (Convex's default: 10). Convex refetches a
   * token that long before the end of its full lifetime (`exp - iat`), counted from when it
   * got it, so a token that is already older than that would expire before Convex asks again.
   */
  leewaySeconds?: number
}

/** Margin kept on top of Convex's leeway, for the Authenticate round trip. */
const MARGIN_MS = 1_000

/**
 * The `fetchToken` for Convex's `setAuth`, from a keyway session.
 *
 * - `forceRefreshToken: false`: the session's current token, from its cache.
 * - `forceRefreshToken: true`: always a different token from the one Convex holds (convex-js
 *   drops auth when the same string comes back). A token the session still deems valid was
 *   refused by Convex: it is reported rejected (`session.reportRejected`), so every other
 *   consumer stops using it too. A token near its end is refreshed (`session.refresh()`).
 * - A token handed over is young enough that Convex's own refetch (at `exp - iat - leeway`
 *   after receipt) comes before it expires, so the socket never meets an expired token.
 * - A transient failure (provider down, offline) waits for the session instead of throwing or
 *   answering `null`: Convex keeps the token it has, and nobody flickers to signed out.
 * - `null` when nobody is signed in, on a final error (the session's `lastError` says which)
 *   and after `session.dispose()`; it never throws (convex-js would leave that unhandled).
 *
 * @example
 * ```ts
 * import { ConvexClient } from 'convex/browser'
 * import { convexFetchToken } from '@keyway/convex'
 *
 * const client = new ConvexClient(import.meta.env.VITE_CONVEX_URL, { initialAuthTokenReuse: true })
 * client.setAuth(convexFetchToken(session), (isAuthenticated) => render(isAuthenticated))
 * ```
 */
export function convexFetchToken(
  session: Session,
  options: ConvexFetchTokenOptions = {},
): ConvexFetchToken {
  const leewayMs = (options.leewaySeconds ?? 10) * 1000
  /** The token Convex holds: the last one handed over. */
  let held: string | undefined

  /** Convex would refetch this token before it expires, were it handed over now. */
  function youngEnough(credentials: Credentials): boolean {
    const { iat, exp } = decodeJwt(credentials.token).payload
    if (credentials.expiresAt === undefined || iat === undefined || exp === undefined) return true
    const ageMs = (exp - iat) * 1000 - (credentials.expiresAt - Date.now())
    return ageMs <= leewayMs - MARGIN_MS
  }

  /** A token whose replacement failed (provider down): the session's own retry replaces it. */
  let failedFor: string | undefined

  /** What Convex gets now. */
  async function answer(force: boolean): Promise<Credentials | null> {
    const current = await session.getCredentials()
    if (!current || !force || (current.token !== held && youngEnough(current))) return current
    let next: Credentials | null = current
    if (failedFor !== current.token) {
      // Convex refused a token keyway still deems valid: report it, so every consumer drops
      // it. Near its end (Convex's scheduled refetch), it is just refreshed.
      const refused =
        current.token === held &&
        (current.expiresAt === undefined || current.expiresAt - Date.now() > leewayMs + MARGIN_MS)
      try {
        next = refused ? await session.reportRejected(current.token) : await session.refresh()
      } catch (error) {
        failedFor = current.token
        throw error
      }
    }
    // The provider insists on the same token, or could not replace it: the session's next
    // token (its own refresh, with its backoff) is the only way to another.
    while (next && (next.token === held || next.token === failedFor)) {
      await nextChange(session, session.getSnapshot())
      next = await session.getCredentials()
    }
    return next
  }

  return async ({ forceRefreshToken }) => {
    const credentials = await settled(session, () => answer(forceRefreshToken))
    held = credentials?.token
    return held ?? null
  }
}
