import {
  type Credentials,
  decodeJwt,
  KeywayError,
  type Session,
  type SessionSnapshot,
} from '@keyway/core'
import { createContext, createElement, type ReactNode, useContext, useMemo } from 'react'

/**
 * `undefined`: no provider above. `null`: a provider without a session (a server render).
 * The two differ only in the error message.
 */
/** What the provider hands its hooks: the session, and what a server render shows. */
interface Provided {
  session: Session | null
  /** The snapshot and token of a server render (and of the hydrating render). */
  server: { snapshot: SessionSnapshot; token: string | null } | null
}

const SessionContext = createContext<Provided | undefined>(undefined)

export interface KeywayProviderProps {
  /**
   * The app's one session, created outside render (module scope, or an idempotent getter
   * called from a `useState` initializer). The provider never creates, replaces or disposes
   * it: StrictMode mounts components twice and must not double the session.
   * `null` where no session may exist, such as a server render: the hooks then report
   * `initializing` and no token.
   */
  session: Session | null
  /**
   * Credentials the server already has (a server-rendered app): the server render and the
   * hydrating render show them as `authenticated`, so the first client render matches and
   * no sign-in flicker appears. Give the client's session the same credentials
   * (`createSession({ initialCredentials })`): it holds them at once and fetches nothing
   * before their refresh point.
   */
  initialCredentials?: Credentials
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
export function KeywayProvider({
  session,
  initialCredentials,
  children,
}: KeywayProviderProps): ReactNode {
  const value = useMemo(
    (): Provided => ({
      session,
      server: initialCredentials ? serverState(initialCredentials) : null,
    }),
    [session, initialCredentials],
  )
  return createElement(SessionContext.Provider, { value }, children)
}

/** The state a session created with `initialCredentials` starts in, for the server render. */
function serverState(credentials: Credentials): NonNullable<Provided['server']> {
  const { sub, exp } = decodeJwt(credentials.token).payload
  return {
    token: credentials.token,
    snapshot: Object.freeze({
      status: 'authenticated',
      userId: sub ?? null,
      expiresAt: credentials.expiresAt ?? (exp === undefined ? null : exp * 1000),
      refreshing: false,
      tokenVersion: 1,
      lastError: null,
      counters: Object.freeze({ fetches: 0, failures: 0, rejections: 0 }),
    }),
  }
}

/** The provider's value; throws when the hook is used outside a provider. */
export function useProvidedSession(hook: string): Session | null {
  return useProvided(hook).session
}

/** The provider's whole value; throws when the hook is used outside a provider. */
export function useProvided(hook: string): Provided {
  const provided = useContext(SessionContext)
  if (provided === undefined)
    throw new KeywayError(
      'ERR_CONFIG',
      `${hook} was called outside <KeywayProvider>: wrap the app in <KeywayProvider session={session}>`,
    )
  return provided
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
