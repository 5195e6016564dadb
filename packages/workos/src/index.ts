export {
  type AuthKitClient,
  type AuthKitClientLike,
  type AuthKitUserEvents,
  authkitUserEvents,
  type WorkOSConnectorOptions,
  workosConnector,
} from './workos-connector.js'
export { toKeywayWorkOSError } from './workos-errors.js'
