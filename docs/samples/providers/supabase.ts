import { createSession } from '@keyway/core'
import { supabaseConnector } from '@keyway/supabase'
import { createClient } from '@supabase/supabase-js'

// keyway schedules refreshes (one per origin, jittered); supabase-js must not rotate behind it.
const supabase = createClient('https://abcd.supabase.co', 'public-anon-key', {
  auth: { autoRefreshToken: false },
})
export const session = createSession({ connector: supabaseConnector(supabase) })
