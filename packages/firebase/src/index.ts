export * from './react-native.js'
export { type AnonymousUpgrade, upgradeAnonymousUser } from './upgrade-anonymous.js'
