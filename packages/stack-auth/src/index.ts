export {
  type StackAuthConnectorOptions,
  type StackAuthLike,
  stackAuthConnector,
} from './stack-auth-connector.js'
export { toKeywayStackAuthError } from './stack-auth-errors.js'
