export {
  type EntraConnectorOptions,
  entraConnector,
  type MsalClientLike,
} from './entra-connector.js'
export { toKeywayEntraError } from './entra-errors.js'
