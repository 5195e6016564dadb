import { authFetch, createSession, defaultPlatform } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { SESSION_HEADER } from './issuer.js'

// A Node script as an app writes one: it takes a token, calls the data API once, and is done.
// KEYWAY_MODE: `dispose` calls dispose() at the end, `keep` does not, `none` makes the same
// two requests without keyway (the yardstick for how fast such a script exits).
const { ISSUER_URL, RESOURCE_URL, KEYWAY_MODE } = process.env
const headers = { [SESSION_HEADER]: 'child' }

if (KEYWAY_MODE === 'none') {
  const answer = await fetch(`${ISSUER_URL}/token`, { method: 'POST', headers, body: '{}' })
  const { token } = (await answer.json()) as { token: string }
  const response = await fetch(RESOURCE_URL!, {
    headers: { ...headers, authorization: `Bearer ${token}` },
  })
  await response.body?.cancel()
  console.log(`done ${response.status}`)
} else {
  const session = createSession({
    connector: httpConnector({ url: `${ISSUER_URL}/token`, headers }),
    platform: defaultPlatform(),
  })
  const response = await authFetch(session)(RESOURCE_URL!, { headers })
  await response.body?.cancel()
  if (KEYWAY_MODE === 'dispose') session.dispose()
  console.log(`done ${response.status}`)
}
