export { type HttpConnectorOptions, httpConnector } from './http-connector.js'
export { toKeywayHttpError } from './http-errors.js'
