import type { Session } from '@keyway/core'
import { KeywayProvider, useAuthState, useToken } from '@keyway/react'
import type { ReactNode } from 'react'

// jazz-tools is not a dependency of these docs; this is the shape of its provider's props
// from Jazz's auth-provider recipe, declared here so the sample type-checks.
declare function JazzProvider(props: {
  config: { appId: string; serverUrl: string; jwtToken?: string }
  children?: ReactNode
}): ReactNode

/** Jazz gets the session's current JWT; it re-renders only when the token string changes. */
function JazzWithKeyway({ children }: { children: ReactNode }) {
  const token = useToken()
  const { status } = useAuthState()
  // No token while the first one loads or nobody is signed in: Jazz connects without auth.
  if (status === 'initializing') return null
  return (
    <JazzProvider
      config={{
        appId: 'my-app',
        serverUrl: 'wss://your-jazz-server.example.com',
        jwtToken: token ?? undefined,
      }}
    >
      {children}
    </JazzProvider>
  )
}

export function App({ session, children }: { session: Session; children: ReactNode }) {
  return (
    <KeywayProvider session={session}>
      <JazzWithKeyway>{children}</JazzWithKeyway>
    </KeywayProvider>
  )
}
