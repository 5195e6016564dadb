import { authFetch, createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { subscribeRealtime, supabaseAccessToken } from '@keyway/supabase'
import { createClient } from '@supabase/supabase-js'

// Any provider's session (Clerk, Firebase, Auth0, WorkOS…); the http connector stands in here.
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

export const supabase = createClient('https://abcd.supabase.co', 'public-anon-key', {
  // Realtime asks on connect and on every heartbeat (25 s): every token it gets has 30 s left.
  accessToken: supabaseAccessToken(session),
  global: { fetch: authFetch(session) },
})

export function followRoom(show: (message: unknown) => void): () => Promise<void> {
  // A new channel each time: Realtime joins a channel once, so a resubscription needs a new one.
  return subscribeRealtime(
    session,
    () =>
      supabase
        .channel('room:1')
        .on('broadcast', { event: 'message' }, ({ payload }) => show(payload)),
    (status, error) => {
      if (status === 'CHANNEL_ERROR') console.warn('room:1', error)
    },
  )
}
