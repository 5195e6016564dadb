export {
  type SuperTokensConnector,
  type SuperTokensConnectorOptions,
  type SuperTokensEvent,
  type SuperTokensSessionLike,
  superTokensConnector,
} from './supertokens-connector.js'
export { toKeywaySuperTokensError } from './supertokens-errors.js'
