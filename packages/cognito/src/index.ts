export {
  type AmplifyLike,
  type CognitoConnectorOptions,
  cognitoConnector,
} from './cognito-connector.js'
export { toKeywayCognitoError } from './cognito-errors.js'
