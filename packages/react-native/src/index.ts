export { type AsyncStorageLike, asyncStorageStorage } from './async-storage-storage.js'
export type { PlatformClock } from './paused-timers.js'
export {
  type AppStateLike,
  type NetInfoLike,
  type NetInfoStateLike,
  type ReactNativePlatformOptions,
  reactNativePlatform,
} from './react-native-platform.js'
export {
  type SecureStoreDeviceKeysOptions,
  secureStoreDeviceKeys,
} from './secure-store-device-keys.js'
export { secureStoreKey } from './secure-store-key.js'
export {
  SECURE_STORE_VALUE_LIMIT,
  type SecureStoreLike,
  type SecureStoreStorageOptions,
  secureStoreStorage,
} from './secure-store-storage.js'
