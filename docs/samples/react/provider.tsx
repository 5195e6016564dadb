import { createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { KeywayProvider, useAuthState, useSession, useToken } from '@keyway/react'
import { StrictMode } from 'react'

// 1. One session, created once at module scope: never inside a component.
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

// 2. The provider only passes it down; it never creates, replaces or disposes it.
export function Root() {
  return (
    <StrictMode>
      <KeywayProvider session={session}>
        <Header />
      </KeywayProvider>
    </StrictMode>
  )
}

// 3. State for rendering, the session for actions, the token for token-taking consumers.
function Header() {
  const { status, userId, lastError } = useAuthState()
  const { signOut } = useSession() // its methods need no `this`: destructure them freely
  const token = useToken()
  if (status === 'initializing') return <p>Loading…</p>
  if (status === 'error') return <p>Sign-in trouble ({lastError?.code}); retrying.</p>
  if (status !== 'authenticated') return <a href="/sign-in">Sign in</a>
  return (
    <header>
      {userId} {token ? '· connected' : '· connecting'}
      <button type="button" onClick={signOut}>
        Sign out
      </button>
    </header>
  )
}
