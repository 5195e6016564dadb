export {
  type BetterAuthClientLike,
  type BetterAuthTokenResult,
  betterAuthConnector,
} from './better-auth-connector.js'
