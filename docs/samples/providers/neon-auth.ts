import { betterAuthConnector } from '@keyway/better-auth'
import { authFetch, createSession } from '@keyway/core'
import { createAuthClient as createNeonAuthClient } from '@neondatabase/auth'
import { createAuthClient } from 'better-auth/client'
import { jwtClient } from 'better-auth/client/plugins'

const NEON_AUTH_URL = 'https://ep-example.neonauth.us-east-2.aws.neon.tech/neondb/auth'

// The app signs in with Neon's client, as Neon's guides show.
export const neonAuth = createNeonAuthClient(NEON_AUTH_URL)

// keyway reads tokens through a plain Better Auth client on the same URL: same cookies, same
// session, but no Neon cache in front of the jwt plugin's /token.
const tokens = createAuthClient({ baseURL: NEON_AUTH_URL, plugins: [jwtClient()] })
export const session = createSession({ connector: betterAuthConnector(tokens) })
export const api = authFetch(session)
