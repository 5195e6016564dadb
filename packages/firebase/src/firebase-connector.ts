import { type Connector, raceSignal } from '@keyway/core'
import { type Auth, onIdTokenChanged } from 'firebase/auth'
import { toKeywayFirebaseError } from './firebase-errors.js'

export interface FirebaseConnectorOptions {
  /** Connector id. Default `'firebase'`. */
  id?: string
}

/**
 * A connector over Firebase Auth: the user's ID token (`getIdToken`), which backends verify
 * against Google's securetoken JWKS with the project id as audience.
 *
 * - waits for `authStateReady()` first, so a restored session is never answered as signed out;
 * - `forceRefresh` maps to `getIdToken(true)`;
 * - `subscribe` fires when the signed-in user changes (not on Firebase's own token refreshes).
 *
 * @example
 * ```ts
 * import { getAuth } from 'firebase/auth'
 * const session = createSession({ connector: firebaseConnector(getAuth(app)) })
 * ```
 */
export const firebaseConnector = (auth: Auth, options: FirebaseConnectorOptions = {}) =>
  ({
    id: options.id ?? 'firebase',
    async fetchCredentials({ forceRefresh, signal }) {
      await raceSignal(auth.authStateReady(), signal)
      const user = auth.currentUser
      if (!user) return null
      try {
        // No expiresAt: Firebase computes it on the local clock; keyway reads exp and iat instead.
        return { token: await raceSignal(user.getIdToken(forceRefresh), signal) }
      } catch (error) {
        if (signal.aborted) throw error
        throw toKeywayFirebaseError(error)
      }
    },
    subscribe(onChange) {
      let uid: string | null | undefined
      return onIdTokenChanged(auth, (user) => {
        const next = user?.uid ?? null
        // The first call reports the current state; token refreshes keep the same uid.
        if (uid === undefined || next === uid) {
          uid = next
          return
        }
        uid = next
        onChange()
      })
    },
    signOut: () => auth.signOut(),
  }) satisfies Connector
