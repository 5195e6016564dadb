import { authFetch, createSession } from '@keyway/core'
import { keycloakConnector } from '@keyway/keycloak'
import Keycloak from 'keycloak-js'

const keycloak = new Keycloak({
  url: 'https://sso.example.com', // with /auth before Keycloak 17
  realm: 'main',
  clientId: 'my-spa',
})
// The first answer waits for init: a redirect back or check-sso is never read as "signed out".
const ready = keycloak.init({ onLoad: 'check-sso', pkceMethod: 'S256' })
export const session = createSession({ connector: keycloakConnector(keycloak, { ready }) })

// The access token goes to the backend; it verifies against {url}/realms/main/protocol/openid-connect/certs.
export const api = authFetch(session)

export async function signIn(): Promise<void> {
  await keycloak.login() // redirects to Keycloak; init() on the page load back restores the session
}
