export { type HttpConnectorOptions, httpConnector } from './http-connector.js'
