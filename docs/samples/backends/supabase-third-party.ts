import { authFetch, createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { supabaseAccessToken } from '@keyway/supabase'
import { createClient } from '@supabase/supabase-js'

// Any provider's session (Clerk, Firebase, Auth0, WorkOS…); the http connector stands in here.
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

export const supabase = createClient('https://abcd.supabase.co', 'public-anon-key', {
  // From keyway's cache, refreshed before expiry: not a provider call per request.
  accessToken: supabaseAccessToken(session),
  // A 401 (expired or revoked token) is retried once with a fresh token.
  global: { fetch: authFetch(session) },
})
