import { isKeywayError, type Session } from '@keyway/core'

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
 * The token is read once per `tokenVersion`, which the session bumps exactly when the token it
 * hands out changes (a new token, a user change, a sign-out): `refreshing` flips and failure
 * counters leave it alone, so React re-renders once per token. `peek()` is synchronous, so the
 * first render after a token arrives already has it.
 */
function createTokenStore(session: Session): TokenStore {
  let version = -1
  let token: string | null = null
  const listeners = new Set<() => void>()
  let detach: (() => void) | undefined
  return {
    subscribe(listener) {
      listeners.add(listener)
      // One session listener for every useToken caller, gone with the last one.
      detach ??= session.subscribe(() => {
        for (const l of [...listeners]) l()
      })
      return () => {
        listeners.delete(listener)
        if (listeners.size > 0) return
        detach?.()
        detach = undefined
      }
    },
    getSnapshot() {
      const { tokenVersion } = session.getSnapshot()
      if (tokenVersion !== version) {
        token = currentToken(session)
        version = tokenVersion
      }
      return token
    },
  }
}

/**
 * The token the session would hand out now. A disposed session's `peek()` throws
 * `ERR_DISPOSED`: a component that first reads it after `dispose()` (a micro-frontend mounted
 * again at teardown) gets `null`, never a throw into render nor the token of an older read.
 */
function currentToken(session: Session): string | null {
  try {
    return session.peek()?.token ?? null
  } catch (error) {
    if (isKeywayError(error, 'ERR_DISPOSED')) return null
    throw error
  }
}
