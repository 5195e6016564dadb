import type { Session, TokenOptions } from '@keyway/core'
import type { Connection } from '@rocicorp/zero'

/** What the adapter uses of a `Zero` instance: its connection. */
export interface ZeroLike {
  readonly connection: Pick<Connection, 'connect' | 'state'>
}

/**
 * Keeps a `Zero` instance's `auth` current from a keyway session.
 *
 * - Each new token the session takes goes to Zero through `zero.connection.connect({ auth })`:
 *   on a live connection Zero sends it to zero-cache without reconnecting, and any later
 *   reconnect (network, sleep) starts with it instead of an expired one.
 * - When zero-cache (or your query/mutate endpoint) refuses the token, Zero enters
 *   `needs-auth` and, on its own, stays there. The adapter reports the token rejected
 *   (`session.reportRejected`) and resumes Zero with the new one at once, or with the same
 *   one when the provider hands it back (a first refusal may be zero-cache's blip). When no
 *   new token can be had right now (the provider is down, nobody is signed in, the session
 *   stopped a chain of refused tokens), Zero resumes as soon as the session holds a different
 *   token; the reason is the session's `lastError`.
 *
 * Create Zero with the session's current token, then attach. Returns a function that
 * detaches the adapter. A sign-out is not handled here: Zero wants a new instance for a
 * logged-out user (`auth` left out).
 *
 * @example
 * ```ts
 * import { Zero } from '@rocicorp/zero'
 * import { zeroAuth } from '@keyway/zero'
 *
 * const zero = new Zero({
 *   cacheURL: 'https://zero.example.com',
 *   schema,
 *   userID: session.getSnapshot().userId!,
 *   auth: await session.getToken(),
 * })
 * const detach = zeroAuth(zero, session)
 * ```
 */
export function zeroAuth(zero: ZeroLike, session: Session, options: TokenOptions = {}): () => void {
  const { connection } = zero
  /** The token Zero holds, as far as this adapter knows: the one a `needs-auth` is about. */
  let given = session.peek()?.token
  let version = session.getSnapshot().tokenVersion
  let recovering = false
  let detached = false

  /**
   * Hands Zero the session's token when it differs from the one Zero has, or, after a
   * refusal (`again`), even when it is the same: the provider handed the refused token back.
   */
  async function give(again = false): Promise<void> {
    const token = await session.getToken(options)
    if (detached || (token === given && !again)) return
    given = token
    // Connected: an auth update on the same socket. needs-auth: resumes connecting.
    await connection.connect({ auth: token })
  }

  async function recover(): Promise<void> {
    if (recovering || detached) return
    recovering = true
    try {
      if (given !== undefined) await session.reportRejected(given)
      // The session answers a first refusal with the same token when the provider insists
      // (zero-cache saw it too early, or during a key rotation): Zero tries it once more. A
      // second refusal of it fails in reportRejected (ERR_REJECTED) and waits, as below.
      await give(true)
    } catch {
      // No token to retry with now: the session keeps trying (backoff), and its next token
      // resumes Zero (onSessionChange).
    } finally {
      recovering = false
    }
  }

  const unsubscribeSession = session.subscribe(() => {
    const next = session.getSnapshot().tokenVersion
    if (next === version) return
    version = next
    give().catch(() => {
      // Nobody signed in, or no token right now: Zero keeps the one it has.
    })
  })
  const unsubscribeZero = connection.state.subscribe((state) => {
    if (state.name === 'needs-auth') void recover()
  })
  // Zero may have been created with an older token than the session holds now.
  give().catch(() => {})

  return () => {
    detached = true
    unsubscribeSession()
    unsubscribeZero()
  }
}
