import { authFetch, createSession } from '@keyway/core'
import { firebaseConnector } from '@keyway/firebase/react-native'
import { getAuth } from '@react-native-firebase/auth'

// React Native Firebase restores the user natively; the first answer waits for authStateReady().
export const session = createSession({ connector: firebaseConnector(getAuth()) })

// The ID token goes to the backend; it verifies against Google's securetoken JWKS (aud = project id).
export const api = authFetch(session)
