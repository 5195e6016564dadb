export {
  type ClerkConnectorOptions,
  type ClerkLike,
  type ClerkSessionLike,
  type ClerkStatusLike,
  clerkConnector,
} from './clerk-connector.js'
export { toKeywayClerkError } from './clerk-errors.js'
