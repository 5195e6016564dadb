import { KeywayError } from '@keyway/core'
import { type Auth, type AuthCredential, linkWithCredential, type User } from 'firebase/auth'
import { toKeywayFirebaseError } from './firebase-errors.js'

/** The result of upgrading a Firebase anonymous user. */
export type AnonymousUpgrade =
  /** The credential was new: the anonymous user now has it, with the same uid and data. */
  | { outcome: 'promoted'; user: User }
  /**
   * The credential belongs to an existing account. The anonymous user is still signed in
   * (nothing lost); merge its data, then sign in with `credential`.
   */
  | { outcome: 'linked_existing'; anonymousUser: User; credential: AuthCredential; code: string }

const EXISTING = new Set([
  'auth/credential-already-in-use',
  'auth/email-already-in-use',
  'auth/account-exists-with-different-credential',
])

/**
 * Upgrades Firebase's anonymous user with `linkWithCredential`, keeping its uid. When the
 * credential already belongs to an account, answers `linked_existing` instead of throwing,
 * without signing the anonymous user out first, so the app can merge before switching.
 *
 * @example
 * ```ts
 * const result = await upgradeAnonymousUser(auth, EmailAuthProvider.credential(email, password))
 * if (result.outcome === 'linked_existing') {
 *   const guestData = await exportGuestData(result.anonymousUser.uid)
 *   await signInWithCredential(auth, result.credential)
 *   await importGuestData(guestData)
 * }
 * ```
 */
export async function upgradeAnonymousUser(
  auth: Auth,
  credential: AuthCredential,
): Promise<AnonymousUpgrade> {
  await auth.authStateReady()
  const user = auth.currentUser
  if (!user?.isAnonymous)
    throw new KeywayError('ERR_LINK', 'There is no anonymous Firebase user to upgrade', {
      transient: false,
    })
  try {
    return { outcome: 'promoted', user: (await linkWithCredential(user, credential)).user }
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code && EXISTING.has(code))
      return { outcome: 'linked_existing', anonymousUser: user, credential, code }
    throw toKeywayFirebaseError(error)
  }
}
