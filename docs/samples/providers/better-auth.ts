import { betterAuthConnector } from '@keyway/better-auth'
import { createSession } from '@keyway/core'
import { createAuthClient } from 'better-auth/client'
import { jwtClient } from 'better-auth/client/plugins'

// The jwt plugin on the server exposes GET /api/auth/token and /api/auth/jwks.
const authClient = createAuthClient({
  baseURL: 'https://app.example.com',
  plugins: [jwtClient()],
})
export const session = createSession({ connector: betterAuthConnector(authClient) })
