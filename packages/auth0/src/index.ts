export {
  type Auth0ClientLike,
  type Auth0ConnectorOptions,
  type Auth0UserChangingMethod,
  auth0Connector,
} from './auth0-connector.js'
export { toKeywayAuth0Error } from './auth0-errors.js'
