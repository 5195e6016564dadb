import { Clerk } from '@clerk/clerk-js'
import { clerkConnector } from '@keyway/clerk'
import { authFetch, createSession } from '@keyway/core'

const clerk = new Clerk('pk_live_…')
void clerk.load() // the connector waits for it: a restored session is never "signed out"
export const session = createSession({ connector: clerkConnector(clerk) })

// The session token goes to the backend; it verifies against the Frontend API's JWKS.
export const api = authFetch(session)

// A backend that needs other claims (Supabase: aud and role) gets a JWT template instead.
export const supabaseSession = createSession({
  connector: clerkConnector(clerk, { id: 'clerk-supabase', template: 'supabase' }),
})
