export { type FirebaseConnectorOptions, firebaseConnector } from './firebase-connector.js'
export { toKeywayFirebaseError } from './firebase-errors.js'
export { type AnonymousUpgrade, upgradeAnonymousUser } from './upgrade-anonymous.js'
