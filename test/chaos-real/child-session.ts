import { authFetch, createSession, defaultPlatform } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { SESSION_HEADER } from './issuer.js'

// A Node script as an app writes one: it takes a token, calls the data API once, and is done.
// It calls `dispose()` only when KEYWAY_DISPOSE=1; either way Node should exit by itself.
const { ISSUER_URL, RESOURCE_URL, KEYWAY_DISPOSE } = process.env
const session = createSession({
  connector: httpConnector({ url: `${ISSUER_URL}/token`, headers: { [SESSION_HEADER]: 'child' } }),
  platform: defaultPlatform(),
})
const response = await authFetch(session)(RESOURCE_URL!, { headers: { [SESSION_HEADER]: 'child' } })
await response.body?.cancel()
if (KEYWAY_DISPOSE === '1') session.dispose()
console.log(`done ${response.status}`)
