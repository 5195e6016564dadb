import { authFetch, createSession } from '@keyway/core'
import { firebaseConnector } from '@keyway/firebase'
import { initializeApp } from 'firebase/app'
import { getAuth } from 'firebase/auth'

const app = initializeApp({
  apiKey: 'AIza…',
  authDomain: 'my-app.firebaseapp.com',
  projectId: 'my-app',
})
export const session = createSession({ connector: firebaseConnector(getAuth(app)) })

// The ID token goes to the backend; it verifies against Google's securetoken JWKS, aud = project id.
export const api = authFetch(session)
