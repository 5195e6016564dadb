import { useSyncExternalStore } from 'react'
import { useProvided } from './provider.js'
import { type TokenStore, tokenStore } from './token-store.js'

const none = (): null => null
const noStore: TokenStore = { subscribe: () => () => {}, getSnapshot: none }

/**
 * The session's current token, or `null`, for consumers that take a token rather than a
 * fetch function (Jazz's `jwtToken`, a WebSocket URL). Re-renders only when the token
 * string changes: after a refresh, a rejection, a user change or a sign-out.
 *
 * - `null` while the first token loads, when nobody is signed in, and while the session
 *   has no token it would hand out (`status === 'error'`, or the provider changed user and
 *   the new user's token is on its way). A session that already holds a token (restored,
 *   or `initialCredentials`) gives it on the first render.
 * - Fresh: the session refreshes before expiry; each new token arrives here as soon as the
 *   session holds it. The hook never fetches on its own, so it adds no connector calls.
 * - Never throws into render: failures show up in `useAuthState().lastError`. After
 *   `session.dispose()` a component that mounts then gets `null`; one already mounted keeps
 *   the last token it showed.
 * - On the server, and while hydrating, `null` (or the provider's `initialCredentials`);
 *   nothing is fetched.
 *
 * @example
 * ```tsx
 * function Sync({ children }: { children: ReactNode }) {
 *   const token = useToken()
 *   return <JazzProvider config={{ appId, serverUrl, jwtToken: token ?? undefined }}>{children}</JazzProvider>
 * }
 * ```
 */
export function useToken(): string | null {
  const { session, server } = useProvided('useToken()')
  const store = session ? tokenStore(session) : noStore
  const serverToken = server?.token ?? null
  return useSyncExternalStore(store.subscribe, store.getSnapshot, () => serverToken)
}
