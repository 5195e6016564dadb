export {
  type StytchConnectorOptions,
  type StytchLike,
  stytchConnector,
} from './stytch-connector.js'
export { toKeywayStytchError } from './stytch-errors.js'
