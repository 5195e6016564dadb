// A page with TanStack Devtools (the real shell, @tanstack/devtools) and keyway's panel as
// one of its plugins, over the test issuer.

import { browserPlatform } from '@keyway/browser'
import { createSession, type Session } from '@keyway/core'
import { devtoolsPlatform, keywayDevtoolsPlugin } from '@keyway/devtools'
import { httpConnector } from '@keyway/http'
import { TanStackDevtoolsCore } from '@tanstack/devtools'

declare global {
  interface Window {
    tanstackPage: { session: Session; ready?: boolean; error?: string }
  }
}

const debug = devtoolsPlatform(browserPlatform({ persist: 'memory' }))
const session = createSession({
  connector: httpConnector({ url: '/token' }),
  platform: debug.platform,
})
window.tanstackPage = { session }
const root = document.createElement('div')
document.body.append(root)
new TanStackDevtoolsCore({
  config: { defaultOpen: true },
  plugins: [
    { ...keywayDevtoolsPlugin({ sessions: [{ session, controls: debug }] }), defaultOpen: true },
  ],
}).mount(root)
session.getToken().then(
  () => {
    window.tanstackPage.ready = true
  },
  (e) => {
    window.tanstackPage.error = String(e)
  },
)
