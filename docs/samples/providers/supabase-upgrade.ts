import { upgradeAnonymousUser } from '@keyway/supabase'
import type { SupabaseClient } from '@supabase/supabase-js'

export async function startAsGuest(supabase: SupabaseClient): Promise<void> {
  await supabase.auth.signInAnonymously()
}

export async function signUp(supabase: SupabaseClient, email: string, password: string) {
  // … later, when the guest signs up:
  const result = await upgradeAnonymousUser(supabase, { email, password })
  if (result.outcome === 'linked_existing') {
    // The email belongs to an existing account; the anonymous session is untouched.
  }
  return result
}
