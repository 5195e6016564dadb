export {
  type FirebaseAuthLike,
  type FirebaseConnectorOptions,
  type FirebaseUserLike,
  firebaseConnector,
} from './firebase-connector.js'
export { toKeywayFirebaseError } from './firebase-errors.js'
export { type AnonymousUpgrade, upgradeAnonymousUser } from './upgrade-anonymous.js'
