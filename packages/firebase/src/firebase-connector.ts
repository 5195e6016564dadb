import { type Connector, raceSignal } from '@keyway/core'
import { toKeywayFirebaseError } from './firebase-errors.js'

/** The parts of a signed-in Firebase user the connector uses. */
export interface FirebaseUserLike {
  readonly uid: string
  getIdToken(forceRefresh?: boolean): Promise<string>
}

/**
 * The parts of a Firebase `Auth` instance the connector uses. The firebase JS SDK's `Auth`
 * (`getAuth()` from `firebase/auth`) and React Native Firebase's (`getAuth()` from
 * `@react-native-firebase/auth`, v22 and later) both have them, with the same meanings.
 *
 * @example
 * ```ts
 * const auth: FirebaseAuthLike = getAuth(app)
 * ```
 */
export interface FirebaseAuthLike {
  readonly currentUser: FirebaseUserLike | null
  authStateReady(): Promise<void>
  onIdTokenChanged(next: (user: FirebaseUserLike | null) => void): () => void
  signOut(): Promise<void>
}

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
 * A connector over Firebase Auth, in the browser (`firebase/auth`) or on React Native
 * (`@react-native-firebase/auth`): the user's ID token (`getIdToken`), which backends verify
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
export const firebaseConnector = (auth: FirebaseAuthLike, options: FirebaseConnectorOptions = {}) =>
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
      return auth.onIdTokenChanged((user) => onChange(user?.uid ?? null))
    },
    signOut: () => auth.signOut(),
  }) satisfies Connector
