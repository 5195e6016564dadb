// Type-level check: the real host modules' exports are accepted where keyway takes them
// structurally. Compiled by the root `pnpm typecheck`; nothing here runs.

import { keyValueUpgradeStore } from '@keyway/core/anonymous'
import AsyncStorage from '@react-native-async-storage/async-storage'
import * as SecureStore from 'expo-secure-store'
import { asyncStorageStorage } from './async-storage-storage.js'
import { secureStoreDeviceKeys } from './secure-store-device-keys.js'
import { secureStoreStorage } from './secure-store-storage.js'

export const secure = secureStoreStorage(SecureStore, {
  secureStoreOptions: { keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK },
})
export const deviceKeys = secureStoreDeviceKeys(SecureStore, {
  secureStoreOptions: { keychainService: 'keyway' },
})
export const plain = asyncStorageStorage(AsyncStorage)
export const upgrades = keyValueUpgradeStore(AsyncStorage)

// @ts-expect-error: SecureStore's options are inferred, so a misspelt one is caught.
secureStoreStorage(SecureStore, { secureStoreOptions: { keychainAcessible: 1 } })
