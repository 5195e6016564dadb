import type { Credentials, Session } from '@keyway/core'

/**
 * How soon after `invalidateCredentials` an ask counts as PowerSync's prefetch. The sync client
 * prefetches as soon as the service reports 30 s or less of token life: it invalidates and asks
 * in the same moment while its stream stays open. After a 401 it asks only once its retry delay
 * (`retryDelayMs`, 5 s by default) has passed, on a new connection.
 */
export const PREFETCH_WINDOW_MS = 100

/**
 * The session's credentials once it holds a token other than `token` (its own refresh, a
 * rejection, a sign-out), or `ERR_DISPOSED` once the session is disposed. A prefetch for a token that is still good waits for this: tokens
 * that live 30 s or less are "expiring soon" to PowerSync from their first second, and
 * forcing a new one on every prefetch would reconnect and refresh without end.
 */
export function nextCredentials(session: Session, token: string): Promise<Credentials | null> {
  return new Promise((resolve, reject) => {
    const version = session.getSnapshot().tokenVersion
    const check = () => {
      try {
        if (session.getSnapshot().tokenVersion === version && session.peek()?.token === token)
          return
      } catch {
        // Disposed (its last call to subscribers): getCredentials rejects with ERR_DISPOSED.
      }
      unsubscribe()
      session.getCredentials().then(resolve, reject)
    }
    const unsubscribe = session.subscribe(check)
    check()
  })
}
