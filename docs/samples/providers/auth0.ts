import { Auth0Client } from '@auth0/auth0-spa-js'
import { auth0Connector } from '@keyway/auth0'
import { createSession } from '@keyway/core'

// Refresh tokens instead of the third-party-cookie iframe; the audience makes the token a JWT.
const auth0 = new Auth0Client({
  domain: 'dev-abc123.us.auth0.com',
  clientId: 'my-spa-client-id',
  useRefreshTokens: true,
  authorizationParams: {
    audience: 'https://api.example.com',
    redirect_uri: `${location.origin}/callback`,
  },
})
const connector = auth0Connector(auth0)
export const session = createSession({ connector })

// auth0-spa-js has no auth-state event: say when the user may have changed.
export async function onCallbackPage(): Promise<void> {
  await auth0.handleRedirectCallback()
  await connector.userChanged()
}
