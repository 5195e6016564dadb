import { createSession, type Session } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { KeywayProvider, useAuthState } from '@keyway/react'
import { type ReactNode, useState } from 'react'

// A session belongs to the browser: creating one starts fetching at once. This getter
// makes at most one, however often it is called (StrictMode calls state initializers twice).
let browserSession: Session | undefined
function getBrowserSession(): Session | null {
  if (typeof window === 'undefined') return null // server render: no session, no network
  browserSession ??= createSession({ connector: httpConnector({ url: '/api/token' }) })
  return browserSession
}

/** The app's client root in an SSR framework (Next.js `'use client'` providers file, Remix root). */
export function Providers({ children }: { children: ReactNode }) {
  const [session] = useState(getBrowserSession)
  return <KeywayProvider session={session}>{children}</KeywayProvider>
}

/** Renders "initializing" on the server and while hydrating, then the real state. */
export function Greeting() {
  const { status, userId } = useAuthState()
  return <p>{status === 'authenticated' ? `Hello, ${userId}` : status}</p>
}
