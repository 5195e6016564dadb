export {
  type Auth0ClientLike,
  type Auth0Connector,
  type Auth0ConnectorOptions,
  auth0Connector,
} from './auth0-connector.js'
export { toKeywayAuth0Error } from './auth0-errors.js'
