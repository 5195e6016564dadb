export {
  type KeycloakConnectorOptions,
  type KeycloakLike,
  keycloakConnector,
} from './keycloak-connector.js'
export { toKeywayKeycloakError } from './keycloak-errors.js'
