// The page of the devtools browser tests: one keyway session per tab over the test issuer,
// on the devtools platform, with the panel open. The session is exposed on window.

import { browserPlatform } from '@keyway/browser'
import { createSession, type Session } from '@keyway/core'
import { devtoolsPlatform, mountKeywayDevtools } from '@keyway/devtools'
import { httpConnector } from '@keyway/http'

declare global {
  interface Window {
    devtoolsPage: { session: Session; tab: string; ready?: boolean; error?: string }
  }
}

const tab = new URLSearchParams(location.search).get('tab') ?? '0'
const debug = devtoolsPlatform(browserPlatform({ wakeCheckMs: 1_000 }))
const session = createSession({
  connector: httpConnector({ url: '/token', headers: { 'x-tab': tab } }),
  platform: debug.platform,
})
window.devtoolsPage = { session, tab }
mountKeywayDevtools({
  sessions: [{ session, name: 'api', controls: debug }],
  initialOpen: true,
  windowMs: 60_000,
})
session.getToken().then(
  () => {
    window.devtoolsPage.ready = true
  },
  (e) => {
    window.devtoolsPage.error = String(e)
  },
)
