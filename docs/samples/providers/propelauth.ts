import { authFetch, createSession } from '@keyway/core'
import { propelAuthConnector } from '@keyway/propelauth'
import { createClient } from '@propelauth/javascript'

// keyway schedules the refreshes: the client's own 60 s background poll is not needed.
const client = createClient({
  authUrl: 'https://auth.example.com',
  enableBackgroundTokenRefresh: false,
})
export const session = createSession({ connector: propelAuthConnector(client) })
export const api = authFetch(session)

// Sign in on PropelAuth's hosted pages; back on the page, the client notices (focus, storage).
export const signIn = () => client.redirectToLoginPage()
