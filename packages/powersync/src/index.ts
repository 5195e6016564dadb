export {
  type PowerSyncConnectorOptions,
  type PowerSyncDatabase,
  powerSyncConnector,
} from './powersync-connector.js'
