export {
  type PropelAuthConnectorOptions,
  type PropelAuthLike,
  propelAuthConnector,
} from './propelauth-connector.js'
export { toKeywayPropelAuthError } from './propelauth-errors.js'
