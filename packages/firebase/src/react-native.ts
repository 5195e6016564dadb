// The connector and its error mapper, importing no Firebase SDK: the whole package on React
// Native (`upgradeAnonymousUser`, in the main entry, imports `firebase/auth`).
export {
  type FirebaseAuthLike,
  type FirebaseConnectorOptions,
  type FirebaseUserLike,
  firebaseConnector,
} from './firebase-connector.js'
export { toKeywayFirebaseError } from './firebase-errors.js'
