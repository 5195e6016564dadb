// The React Native entry: the connector and its error mapper, without the firebase JS SDK
// (`upgradeAnonymousUser` imports `firebase/auth`, which a React Native Firebase app does not have).
export {
  type FirebaseAuthLike,
  type FirebaseConnectorOptions,
  type FirebaseUserLike,
  firebaseConnector,
} from './firebase-connector.js'
export { toKeywayFirebaseError } from './firebase-errors.js'
