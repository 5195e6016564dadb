/**
 * An in-memory DOUBLE of a loaded `Clerk` instance (`@clerk/clerk-js`), for tests: no Clerk
 * Frontend API can run here, and the real clerk-js needs one to load. It has the surface
 * `clerkConnector` uses (`loaded`, `session.getToken({ template, skipCache })`, `addListener`,
 * `on/off('status')`, `signOut`) and mirrors what clerk-js 6 does, read from its bundle:
 *
 * - `status` goes `loading` → `ready` on `load()`, which restores a persisted session;
 *   `addListener` emits at once only when a client exists (after load);
 * - `getToken` serves a cached token per template until shortly before expiry; `skipCache`
 *   mints a new one (real ES256 JWTs: `sid`, `sub` = `user_<name>`, `azp`, 60 s lifetime);
 * - while offline it throws what clerk-js throws: a `ClerkRuntimeError` with
 *   `code: 'clerk_offline'` (clerk-js's `ClerkOfflineError`);
 * - for a revoked session it throws the Frontend API's 401 as a real `ClerkAPIResponseError`,
 *   then clears the session and emits to listeners, as clerk-js's `handleUnauthenticated` does.
 */
import { ClerkAPIResponseError, ClerkRuntimeError } from '@clerk/clerk-js'
import { createTokenMinter } from '@keyway/core/testing'
import type { ClerkLike, ClerkSessionLike, ClerkStatusLike } from '../src/clerk-connector.js'

/** The double keeps a cached token until this many seconds before its `exp`. */
const CACHE_LEEWAY_SEC = 10

export interface ClerkDoubleOptions {
  /** Wall clock for `iat` / `exp` and the cache (epoch ms). Default `Date.now`. */
  now?: () => number
  /** A session restored on `load()`, as clerk-js restores it from its client cookie. */
  persistedUser?: string
  /** Extra claims per JWT template name. */
  templates?: Record<string, Record<string, unknown>>
}

export async function createClerkDouble(options: ClerkDoubleOptions = {}) {
  const now = options.now ?? (() => Date.now())
  const frontendApi = 'https://clerk.keyway.test'
  const minter = await createTokenMinter({ now, issuer: frontendApi })
  const listeners = new Set<(r: { session?: ClerkSessionLike | null }) => void>()
  const statusHandlers = new Set<(s: ClerkStatusLike) => void>()
  let status: ClerkStatusLike = 'loading'
  let session: (ClerkSessionLike & { userId: string }) | null | undefined
  let sessions = 0
  let offline = false
  const revoked = new Set<string>()
  const stats = { mints: 0, getTokenCalls: 0 }

  const emit = () => {
    for (const l of [...listeners]) l({ session })
  }
  const setStatus = (next: ClerkStatusLike) => {
    status = next
    for (const h of [...statusHandlers]) h(next)
  }

  function newSession(name: string) {
    const id = `sess_${++sessions}`
    const userId = `user_${name}`
    const cache = new Map<string, { token: string; exp: number }>()
    const self: ClerkSessionLike & { userId: string } = {
      id,
      userId,
      // clerk-js's Session carries its User resource; its id is the tokens' `sub`.
      user: { id: userId },
      async getToken({ template, skipCache = false } = {}) {
        stats.getTokenCalls++
        await Promise.resolve()
        if (offline)
          throw new ClerkRuntimeError('Network request failed while offline', {
            code: 'clerk_offline',
          })
        if (revoked.has(id)) {
          // clerk-js signs out after a 401, asynchronously, while the call rejects.
          queueMicrotask(() => {
            if (session?.id === id) {
              session = null
              emit()
            }
          })
          throw new ClerkAPIResponseError('Unauthorized', {
            status: 401,
            data: [{ code: 'signed_out', message: 'Signed out', long_message: 'Signed out' }],
          })
        }
        if (session?.id !== id) return null
        const key = template ?? ''
        const hit = cache.get(key)
        if (!skipCache && hit && hit.exp - CACHE_LEEWAY_SEC > now() / 1000) return hit.token
        stats.mints++
        const token = await minter.mint({
          sub: userId,
          sid: id,
          azp: 'http://localhost:3000',
          lifetimeSec: 60,
          ...(template ? options.templates?.[template] : {}),
        })
        cache.set(key, { token, exp: Math.floor(now() / 1000) + 60 })
        return token
      },
    }
    return self
  }

  const clerk = {
    get loaded() {
      return status === 'ready' || status === 'degraded'
    },
    get session() {
      return session
    },
    addListener(listener, opts) {
      listeners.add(listener)
      if (session !== undefined && !opts?.skipInitialEmit) listener({ session })
      return () => void listeners.delete(listener)
    },
    on(_event, handler, opts) {
      statusHandlers.add(handler)
      if (opts?.notify) handler(status)
    },
    off(_event, handler) {
      statusHandlers.delete(handler)
    },
    async signOut() {
      session = null
      emit()
    },
  } satisfies ClerkLike

  return {
    clerk,
    minter,
    frontendApi,
    stats,
    /** clerk-js's `load()`: restores the persisted session, then reports `ready`. */
    async load() {
      await Promise.resolve()
      session = options.persistedUser ? newSession(options.persistedUser) : null
      emit()
      setStatus('ready')
    },
    /** A sign-in completed in the UI (or another tab): a new active session. */
    async signIn(name: string) {
      session = newSession(name)
      emit()
    },
    signOut: () => clerk.signOut(),
    /** The browser goes offline: getToken throws clerk-js's offline error. */
    setOffline(down: boolean) {
      offline = down
    },
    /** Revokes the active session at Clerk (dashboard, Backend API, a banned user). */
    revoke() {
      if (session) revoked.add(session.id)
    },
  }
}
