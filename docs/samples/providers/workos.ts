import { authFetch, createSession } from '@keyway/core'
import { workosConnector } from '@keyway/workos'

// The connector creates the AuthKit client (createClient) so it hears onRefresh.
const connector = workosConnector('client_01HXYZ…', {
  apiHostname: 'auth.example.com', // your AuthKit custom domain; default api.workos.com
  redirectUri: `${location.origin}/callback`,
})
export const session = createSession({ connector })

// The access token goes to the backend; it verifies against https://api.workos.com/sso/jwks/<clientId>.
export const api = authFetch(session)

export async function signIn(): Promise<void> {
  const authkit = await connector.client
  await authkit.signIn() // redirects to AuthKit; the callback page restores the session
}
