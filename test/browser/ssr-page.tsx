// The client side of the server-rendered page: the server inlined the credentials it rendered
// with (window.ssrCredentials); the page creates its session with them and hydrates.

import { browserPlatform } from '@keyway/browser'
import { type Credentials, createSession, type Session } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { KeywayProvider } from '@keyway/react'
import { hydrateRoot } from 'react-dom/client'
import { App } from './ssr-app.js'

declare global {
  interface Window {
    ssrCredentials: Credentials
    ssrPage: {
      session: Session
      /** Each render of the app: what it showed, and when (wall-clock ms). */
      renders: Array<{ line: string; at: number }>
      /** What React reported through `onRecoverableError` (hydration mismatches among them). */
      recoverable: string[]
      hydrated?: boolean
    }
  }
}

const initialCredentials = window.ssrCredentials
const session = createSession({
  connector: httpConnector({ url: '/token' }),
  platform: browserPlatform({ persist: 'memory' }),
  initialCredentials,
})
window.ssrPage = { session, renders: [], recoverable: [] }
hydrateRoot(
  document.getElementById('root')!,
  <KeywayProvider session={session} initialCredentials={initialCredentials}>
    <App onRender={(line) => window.ssrPage.renders.push({ line, at: Date.now() })} />
  </KeywayProvider>,
  {
    onRecoverableError: (error) => {
      window.ssrPage.recoverable.push(String(error))
    },
  },
)
window.ssrPage.hydrated = true
