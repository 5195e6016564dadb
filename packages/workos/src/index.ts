export {
  type AuthKitClient,
  type AuthKitClientOptions,
  type WorkOSConnector,
  type WorkOSConnectorOptions,
  workosConnector,
} from './workos-connector.js'
export { toKeywayWorkOSError } from './workos-errors.js'
