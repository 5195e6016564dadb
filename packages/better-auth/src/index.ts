export { type BetterAuthClientLike, betterAuthConnector } from './better-auth-connector.js'
