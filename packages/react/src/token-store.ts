import type { Session, SessionSnapshot } from '@keyway/core'

/** The current token of one session as an external store for `useSyncExternalStore`. */
export interface TokenStore {
  subscribe(listener: () => void): () => void
  getSnapshot(): string | null
}

/** One store per session, shared by every `useToken()` caller: one session listener in all. */
const stores = new WeakMap<Session, TokenStore>()

export function tokenStore(session: Session): TokenStore {
  let store = stores.get(session)
  if (!store) {
    store = createTokenStore(session)
    stores.set(session, store)
  }
  return store
}

/**
 * When the snapshot's `key` changes, the held token may have changed: a new token has a new
 * expiry, a new user, or (for tokens without `exp`) a newer successful fetch. Anything else
 * (`refreshing` flips, failure counters) leaves the token alone, and so does the store.
 */
function keyOf(snapshot: SessionSnapshot, settledFetches: number): string {
  return `${snapshot.status}|${snapshot.userId}|${snapshot.expiresAt}|${settledFetches}`
}

function hasToken(snapshot: SessionSnapshot): boolean {
  return snapshot.status === 'authenticated' || snapshot.status === 'anonymous'
}

function createTokenStore(session: Session): TokenStore {
  const listeners = new Set<() => void>()
  let token: string | null = null
  /** Who the token speaks for and when it expires, as the session said when it was read. */
  let tokenUser: string | null = null
  let tokenExpiresAt: number | null = null
  /** The key the current `token` was read under; `undefined` before the first read. */
  let readKey: string | undefined
  let settledFetches = 0
  let request = 0
  let detach: (() => void) | undefined

  const set = (next: string | null, user: string | null, expiresAt: number | null = null) => {
    tokenUser = user
    tokenExpiresAt = expiresAt
    token = next
    // React compares snapshots and re-renders only when the string changed.
    for (const listener of [...listeners]) listener()
  }

  const sync = () => {
    const snapshot = session.getSnapshot()
    // Only a fetch that ended well can have brought a new token; counting failed ones would
    // ask getToken() during a backoff wait, which makes the session try again at once.
    if (!snapshot.refreshing && snapshot.lastError === null)
      settledFetches = snapshot.counters.fetches
    const key = keyOf(snapshot, settledFetches)
    if (key === readKey) return
    readKey = key
    const id = ++request
    if (!hasToken(snapshot)) return set(null, null)
    // Never show one user's token next to another user's state, not even for a microtask.
    if (token !== null && tokenUser !== snapshot.userId) set(null, null)
    const { userId, expiresAt } = snapshot
    session.getToken().then(
      (value) => {
        if (id === request) set(value, userId, expiresAt)
      },
      // The reason is in useAuthState().lastError; render never sees a throw.
      () => {
        if (id === request) set(null, null)
      },
    )
  }

  return {
    subscribe(listener) {
      listeners.add(listener)
      if (!detach) {
        detach = session.subscribe(sync)
        sync()
      }
      return () => {
        listeners.delete(listener)
        if (listeners.size > 0 || !detach) return
        // Last one gone (an unmount, or StrictMode's rehearsal): no listener left on the session.
        detach()
        detach = undefined
        readKey = undefined
        request++
      }
    },
    getSnapshot() {
      if (detach || token === null) return token
      // Nobody listened for a while: a token read back then is only good if the session has
      // not moved on since. (Pure: the same answer until the session's snapshot changes.)
      const snapshot = session.getSnapshot()
      const same =
        hasToken(snapshot) && snapshot.userId === tokenUser && snapshot.expiresAt === tokenExpiresAt
      return same ? token : null
    },
  }
}
