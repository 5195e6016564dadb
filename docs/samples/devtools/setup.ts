import { browserPlatform } from '@keyway/browser'
import { type Connector, createSession } from '@keyway/core'
import { devtoolsPlatform, keywayDevtoolsPlugin, mountKeywayDevtools } from '@keyway/devtools'

declare const connector: Connector

// The browser platform, wrapped so the panel can hold the session offline and expire its token.
const debug = devtoolsPlatform(browserPlatform())
const session = createSession({ connector, platform: debug.platform })

// A floating "keyway" button at the bottom right opens the panel.
const unmount = mountKeywayDevtools({ sessions: [{ session, name: 'api', controls: debug }] })

// Or drawn inside an element of the page, always open.
mountKeywayDevtools({
  sessions: [{ session, controls: debug }],
  target: document.getElementById('keyway-devtools')!,
})

// Or as a pane of TanStack Devtools: pass it in `plugins`.
const plugin = keywayDevtoolsPlugin({ sessions: [{ session, controls: debug }] })

export { plugin, session, unmount }
