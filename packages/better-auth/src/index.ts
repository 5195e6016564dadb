export {
  type BetterAuthClientLike,
  type BetterAuthConnectorOptions,
  type BetterAuthTokenResult,
  betterAuthConnector,
} from './better-auth-connector.js'
export { toKeywayBetterAuthError } from './better-auth-errors.js'
