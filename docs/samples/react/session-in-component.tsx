import { createSession, type Session } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { KeywayProvider } from '@keyway/react'
import { type ReactNode, useState } from 'react'

const connector = httpConnector({ url: '/api/token' })

// An idempotent getter: StrictMode calls state initializers twice, and a second
// createSession would keep running (fetch, timer, host listeners) with nobody to dispose it.
let shared: Session | undefined
const getSession = () => (shared ??= createSession({ connector }))

/** A root that creates the session inside a component instead of at module scope. */
export function App({ children }: { children: ReactNode }) {
  const [session] = useState(getSession)
  return <KeywayProvider session={session}>{children}</KeywayProvider>
}
