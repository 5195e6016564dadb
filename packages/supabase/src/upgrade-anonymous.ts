import { KeywayError } from '@keyway/core'
import type { User } from '@supabase/supabase-js'
import type { SupabaseAuthLike } from './supabase-connector.js'
import { toKeywaySupabaseError } from './supabase-errors.js'

export type SupabaseAnonymousUpgrade =
  /** The anonymous user now has the identity, with the same id (and so the same rows). */
  | { outcome: 'promoted'; user: User }
  /**
   * The identity belongs to an existing account. The anonymous session is untouched:
   * move its data, then sign in to the account.
   */
  | { outcome: 'linked_existing'; anonymousUser: User; code: string }

const EXISTING = new Set([
  'email_exists',
  'identity_already_exists',
  'user_already_exists',
  'phone_exists',
])

/**
 * Upgrades Supabase's anonymous user (`signInAnonymously`) with `updateUser` (email and
 * password), keeping its id. An identity that already belongs to an account answers
 * `linked_existing` instead of an error, with the anonymous session still signed in.
 *
 * @example
 * ```ts
 * const result = await upgradeAnonymousUser(supabase, { email, password })
 * if (result.outcome === 'linked_existing') {
 *   const rows = await exportGuestRows(result.anonymousUser.id)
 *   await supabase.auth.signInWithPassword({ email, password })
 *   await importRows(rows)
 * }
 * ```
 */
export async function upgradeAnonymousUser(
  client: SupabaseAuthLike,
  attributes: { email: string; password?: string },
): Promise<SupabaseAnonymousUpgrade> {
  const { data } = await client.auth.getSession()
  const anonymousUser = data.session?.user
  if (!anonymousUser?.is_anonymous)
    throw new KeywayError('ERR_LINK', 'There is no anonymous Supabase user to upgrade', {
      transient: false,
    })
  const { data: updated, error } = await client.auth.updateUser(attributes)
  if (error) {
    if (error.code && EXISTING.has(error.code))
      return { outcome: 'linked_existing', anonymousUser, code: error.code }
    throw toKeywaySupabaseError(error)
  }
  return { outcome: 'promoted', user: updated.user }
}
