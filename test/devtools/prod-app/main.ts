// An app that uses every documented entry of @keyway/devtools, as its docs say to.
import { createSession, defaultPlatform } from '@keyway/core'
import { devtoolsPlatform, keywayDevtoolsPlugin, mountKeywayDevtools } from '@keyway/devtools'
import { KeywayDevtools } from '@keyway/devtools/react'

const debug = devtoolsPlatform(defaultPlatform())
const session = createSession({
  connector: { id: 'app', fetchCredentials: async () => null },
  platform: debug.platform,
})
mountKeywayDevtools({ sessions: [{ session, controls: debug }] })
Object.assign(globalThis, {
  plugin: keywayDevtoolsPlugin({ sessions: [{ session }] }),
  KeywayDevtools,
})
