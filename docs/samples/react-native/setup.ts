// The full app file, with the real imports below and type-checked against the real modules,
// is examples/react-native/src/keyway.ts. docs/ does not install React Native, so here the
// three host modules are declared with the shapes keyway takes:
//   import { AppState } from 'react-native'
//   import NetInfo from '@react-native-community/netinfo'
//   import * as SecureStore from 'expo-secure-store'
//   import AsyncStorage from '@react-native-async-storage/async-storage'
import { createSession } from '@keyway/core'
import { anonymousIdentity, keyValueUpgradeStore } from '@keyway/core/anonymous'
import { httpConnector } from '@keyway/http'
import {
  type AppStateLike,
  type AsyncStorageLike,
  type NetInfoLike,
  reactNativePlatform,
  type SecureStoreLike,
  secureStoreDeviceKeys,
  secureStoreStorage,
} from '@keyway/react-native'

declare const AppState: AppStateLike
declare const NetInfo: NetInfoLike
declare const SecureStore: SecureStoreLike<{ keychainAccessible?: number }> & {
  AFTER_FIRST_UNLOCK: number
}
declare const AsyncStorage: AsyncStorageLike

const secureStoreOptions = { keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK }

export const session = createSession({
  connector: httpConnector({ url: 'https://api.example.com/keyway/token' }),
  platform: reactNativePlatform({
    AppState,
    NetInfo,
    storage: secureStoreStorage(SecureStore, { secureStoreOptions }),
  }),
  anonymous: anonymousIdentity({
    audience: 'https://api.example.com',
    deviceKeys: secureStoreDeviceKeys(SecureStore, { secureStoreOptions }),
  }),
})

// Not a secret: the upgrade's progress record may live in AsyncStorage.
export const upgradeStore = keyValueUpgradeStore(AsyncStorage)

// A token larger than SecureStore's 2048 bytes is kept in memory; on SDK 55+ you may raise it.
export const roomyStorage = secureStoreStorage(SecureStore, { maxValueBytes: 8192 })
