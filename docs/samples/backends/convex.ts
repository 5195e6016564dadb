import { convexFetchToken } from '@keyway/convex'
import { createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { ConvexClient } from 'convex/browser'

// Any provider's session (Clerk, Auth0, WorkOS, Firebase…); the http connector stands in here.
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

export const client = new ConvexClient('https://happy-animal-123.convex.cloud', {
  // Keep the token Convex confirmed instead of fetching a second one at once.
  initialAuthTokenReuse: true,
})

export function signedIn(render: (isAuthenticated: boolean) => void): void {
  client.setAuth(convexFetchToken(session), render)
}
