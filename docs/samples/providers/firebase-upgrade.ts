import { upgradeAnonymousUser } from '@keyway/firebase'
import { type Auth, EmailAuthProvider, signInWithCredential } from 'firebase/auth'

export async function signUp(auth: Auth, email: string, password: string): Promise<void> {
  const result = await upgradeAnonymousUser(auth, EmailAuthProvider.credential(email, password))
  if (result.outcome === 'linked_existing') {
    // The credential belongs to an existing account. The guest is still signed in:
    // merge its data, then switch.
    await signInWithCredential(auth, result.credential)
  }
}
