import { type Connector, raceSignal } from '@keyway/core'
import { type Auth, onIdTokenChanged } from 'firebase/auth'
import { toKeywayFirebaseError } from './firebase-errors.js'

/**
 * Options of {@link firebaseConnector}.
 *
 * @example
 * ```ts
 * const options: FirebaseConnectorOptions = { id: 'firebase-eu' }
 * ```
 */
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
 * - `subscribe` tells the signed-in user's uid (or `null`) on every `onIdTokenChanged`.
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
      // Every report carries the user (its tokens' `sub` is the uid); the session decides
      // what is a change. A failed refresh reports nothing: Firebase keeps its user.
      return onIdTokenChanged(auth, (user) => onChange(user?.uid ?? null))
    },
    signOut: () => auth.signOut(),
  }) satisfies Connector
