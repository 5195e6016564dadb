import { KeywayError } from './errors.js'
import { createFakeConnector } from './testing/index.js'
import { runConnectorConformance } from './testing/vitest.js'

runConnectorConformance({
  name: 'fake connector (the reference the suite is checked against)',
  async setup() {
    const connector = await createFakeConnector({ user: null })
    return {
      connector,
      controls: {
        signIn: async (user) => connector.setUser(user),
        signOut: async () => connector.setUser(null),
        outage: async (down) => connector.failAlways(down ? new TypeError('fetch failed') : null),
        revoke: async () => connector.failAlways(new KeywayError('ERR_REVOKED', 'Session revoked')),
      },
    }
  },
})
