import { KeywayError, type Session } from '@keyway/core'
import { createContext, createElement, type ReactNode, useContext } from 'react'

/**
 * `undefined`: no provider above. `null`: a provider without a session (a server render).
 * The two differ only in the error message.
 */
const SessionContext = createContext<Session | null | undefined>(undefined)

export interface KeywayProviderProps {
  /**
   * The app's one session, created outside render (module scope, or an idempotent getter
   * called from a `useState` initializer). The provider never creates, replaces or disposes
   * it: StrictMode mounts components twice and must not double the session.
   * `null` where no session may exist, such as a server render: the hooks then report
   * `initializing` and no token.
   */
  session: Session | null
  children?: ReactNode
}

/**
 * Makes a session available to `useSession`, `useAuthState` and `useToken` below it.
 *
 * @example
 * ```tsx
 * import { createSession } from '@keyway/core'
 * import { KeywayProvider } from '@keyway/react'
 *
 * const session = createSession({ connector }) // once, outside any component
 *
 * createRoot(root).render(
 *   <KeywayProvider session={session}>
 *     <App />
 *   </KeywayProvider>,
 * )
 * ```
 */
export function KeywayProvider({ session, children }: KeywayProviderProps): ReactNode {
  return createElement(SessionContext.Provider, { value: session }, children)
}

/** The provider's value; throws when the hook is used outside a provider. */
export function useProvidedSession(hook: string): Session | null {
  const session = useContext(SessionContext)
  if (session === undefined)
    throw new KeywayError(
      'ERR_CONFIG',
      `${hook} was called outside <KeywayProvider>: wrap the app in <KeywayProvider session={session}>`,
    )
  return session
}

/**
 * The session from the nearest `<KeywayProvider>`, for actions (`signOut`, `refresh`,
 * `authFetch`). Throws a `KeywayError` with code `ERR_CONFIG` outside a provider, and when
 * the provider holds no session (`session={null}`, a server render): components that render
 * on the server read state with `useAuthState` and `useToken` instead.
 *
 * @example
 * ```tsx
 * function SignOutButton() {
 *   const session = useSession()
 *   return <button onClick={() => session.signOut()}>Sign out</button>
 * }
 * ```
 */
export function useSession(): Session {
  const session = useProvidedSession('useSession()')
  if (session === null)
    throw new KeywayError(
      'ERR_CONFIG',
      'useSession() found <KeywayProvider session={null}> (a server render?): there is no session here; use useAuthState() or useToken() in components that render on the server',
    )
  return session
}
