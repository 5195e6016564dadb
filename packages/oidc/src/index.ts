export { type OidcConnectorOptions, oidcConnector, type UserManagerLike } from './oidc-connector.js'
export { toKeywayOidcError } from './oidc-errors.js'
