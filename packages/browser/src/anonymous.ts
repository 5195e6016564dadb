// The guest's device key store: its own entry, like `@keyway/core/anonymous`, so apps
// without guests do not ship it.
export {
  type DeviceKeyLocks,
  type IndexedDbDeviceKeyStoreOptions,
  indexedDbDeviceKeyStore,
  type StorageManagerLike,
} from './device-key-store.js'
