import { type Credentials, isKeywayError, type Session } from '@keyway/core'

/**
 * Runs `read` until it gives an answer a sync client can act on. A transient failure (the
 * provider is down, the device offline, the call budget spent) is waited out: the next try
 * comes when the session's state changes (its own retry landed, a new token, a sign-out),
 * so nothing here polls. Anything final is `null`, never thrown: nobody is signed in, the
 * provider said the session is over (`ERR_REVOKED`), or it cannot work (`ERR_CONFIG`, a
 * malformed token: the session's `lastError` says which), or the session was disposed.
 * convex-js calls `fetchToken` from promises nobody awaits: a throw there is an unhandled
 * rejection, and on the first call it leaves the socket paused for good.
 */
export async function settled(
  session: Session,
  read: () => Promise<Credentials | null>,
): Promise<Credentials | null> {
  for (;;) {
    try {
      return await read()
    } catch (error) {
      if (!isKeywayError(error) || !error.transient) return null
      // The change that counts comes after this failure (the failure itself changed the state).
      await nextChange(session, session.getSnapshot())
    }
  }
}

/** Resolves once the session's snapshot is no longer `seen`. */
export function nextChange(session: Session, seen: object): Promise<void> {
  return new Promise((resolve) => {
    if (session.getSnapshot() !== seen) return resolve()
    const off = session.subscribe(() => {
      off()
      resolve()
    })
  })
}
