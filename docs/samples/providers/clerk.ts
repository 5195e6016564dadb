import { authFetch, createSession } from '@keyway/core'
// Relative imports until docs/package.json's @keyway/clerk and @clerk/clerk-js are installed.
import { Clerk } from '../../../packages/clerk/node_modules/@clerk/clerk-js'
import { clerkConnector } from '../../../packages/clerk/src/index.js'

const clerk = new Clerk('pk_live_…')
void clerk.load() // the connector waits for it: a restored session is never "signed out"
export const session = createSession({ connector: clerkConnector(clerk) })

// The session token goes to the backend; it verifies against the Frontend API's JWKS.
export const api = authFetch(session)

// A backend that needs other claims (Supabase: aud and role) gets a JWT template instead.
export const supabaseSession = createSession({
  connector: clerkConnector(clerk, { id: 'clerk-supabase', template: 'supabase' }),
})
