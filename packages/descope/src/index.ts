export {
  type DescopeConnectorOptions,
  type DescopeLike,
  descopeConnector,
} from './descope-connector.js'
export { toKeywayDescopeError } from './descope-errors.js'
