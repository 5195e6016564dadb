import type { HocuspocusProvider } from '@hocuspocus/provider'
import type { Session, TokenOptions } from '@keyway/core'

/** The close code Hocuspocus servers send when `onTokenSync` (or an app) refuses a token. */
const UNAUTHORIZED = 4401
/** At most one immediate re-authentication of a closed document per this interval. */
const REOPEN_INTERVAL_MS = 1000

export interface HocuspocusAuthOptions extends TokenOptions {
  /**
   * Send each new token to the live connection (Hocuspocus's token sync, answered by the
   * server's `onTokenSync` hook), so a server that closes connections at token expiry never
   * has to. Default `true`; servers older than 3.x log an error for it and carry on.
   */
  syncToken?: boolean
}

/**
 * Keeps a `HocuspocusProvider` authenticated from a keyway session.
 *
 * - Every connect (the first and each reconnect) sends a token from the session with at
 *   least `minValidityMs` of life: never the expired string a reconnect would otherwise
 *   replay.
 * - Each new token goes to the live connection (`syncToken`), without a reconnect.
 * - A refusal (the server's `permission-denied`, or a close with code 4401) reports the token
 *   rejected (`session.reportRejected`) and authenticates again at once with the new one:
 *   the provider never stays "denied, won't try again". When no new token can be had (the
 *   provider is down, nobody is signed in, the session stopped a chain of refused tokens),
 *   it authenticates again as soon as the session holds a different token.
 *
 * Call it right after creating the provider, before its socket opens. Returns a function
 * that detaches it (the provider keeps its last token function).
 *
 * @example
 * ```ts
 * import { HocuspocusProvider } from '@hocuspocus/provider'
 * import { hocuspocusAuth } from '@keyway/hocuspocus'
 *
 * const provider = new HocuspocusProvider({ url: 'wss://collab.example.com', name: 'doc-1' })
 * const detach = hocuspocusAuth(provider, session)
 * ```
 */
export function hocuspocusAuth(
  provider: HocuspocusProvider,
  session: Session,
  options: HocuspocusAuthOptions = {},
): () => void {
  const { syncToken = true, minValidityMs } = options
  const socket = provider.configuration.websocketProvider
  /** The token the server saw last from this provider: the one a refusal is about. */
  let sent: string | undefined
  let version = session.getSnapshot().tokenVersion
  /** Waiting for the session to hold a token other than the refused one. */
  let stalled = false
  let recovering = false
  let detached = false

  provider.configuration.token = async () => {
    sent = undefined
    const token = await session.getToken({ minValidityMs })
    sent = token
    return token
  }

  /** Sends the session's token on the open socket, or opens it (the token goes on open). */
  function authenticate(): void {
    if (detached) return
    if (socket.status === 'connected') {
      void provider.sendToken()
      // The server dropped what was queued behind the refused token; the state vectors
      // of a new sync exchange carry every local change still missing there.
      provider.startSync()
    } else if (socket.shouldConnect) void socket.connect()
  }

  async function recover(): Promise<void> {
    if (recovering || detached) return
    recovering = true
    try {
      // The token function failed (nobody signed in, provider down): nothing was refused,
      // and asking again now would fail the same way.
      if (sent === undefined) stalled = true
      else {
        await session.reportRejected(sent)
        authenticate()
      }
    } catch {
      // No token to retry with now: the session keeps trying (backoff), and a new token
      // brings this provider back (see onSessionChange).
      stalled = true
    } finally {
      recovering = false
    }
  }

  function onSessionChange(): void {
    const next = session.getSnapshot().tokenVersion
    if (next === version) return
    version = next
    if (stalled) {
      stalled = false
      authenticate()
    } else if (syncToken && provider.isAuthenticated) void provider.sendToken()
  }

  let reopenedAt = Number.NEGATIVE_INFINITY
  const onFailed = () => void recover()
  const onClose = ({ event }: { event: { code?: number } }) => {
    if (socket.status === 'connected') {
      // The server closed this document on a live socket (a token refused by token sync, an
      // expiry): nothing in the provider opens it again. Authenticate again with the
      // session's token; a refusal of that one comes back as authenticationFailed. A server
      // that keeps closing the document at once is left until the session's next token.
      const now = Date.now()
      if (now - reopenedAt < REOPEN_INTERVAL_MS) stalled = true
      else {
        reopenedAt = now
        authenticate()
      }
    } else if (event.code === UNAUTHORIZED) void recover()
  }
  provider.on('authenticationFailed', onFailed)
  provider.on('close', onClose)
  const unsubscribe = session.subscribe(onSessionChange)

  return () => {
    detached = true
    unsubscribe()
    provider.off('authenticationFailed', onFailed)
    provider.off('close', onClose)
  }
}
