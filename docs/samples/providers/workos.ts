import { authFetch, createSession } from '@keyway/core'
import { authkitUserEvents, workosConnector } from '@keyway/workos'
import { createClient } from '@workos-inc/authkit-js'

// AuthKit reports its user only through createClient's onRefresh / onRefreshFailure: pass the
// events there, and the same events to the connector.
const events = authkitUserEvents()
const authkit = await createClient('client_01HXYZ…', {
  apiHostname: 'auth.example.com', // your AuthKit custom domain; default api.workos.com
  redirectUri: `${location.origin}/callback`,
  ...events,
})
export const session = createSession({ connector: workosConnector(authkit, { events }) })

// The access token goes to the backend; it verifies against https://api.workos.com/sso/jwks/<clientId>.
export const api = authFetch(session)

export async function signIn(): Promise<void> {
  await authkit.signIn() // redirects to AuthKit; the callback page restores the session
}
