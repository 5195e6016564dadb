import { createSession } from '@keyway/core'
import { anonymousIdentity } from '@keyway/core/anonymous'
import { httpConnector } from '@keyway/http'
import {
  reactNativePlatform,
  secureStoreDeviceKeys,
  secureStoreStorage,
} from '@keyway/react-native'
import NetInfo from '@react-native-community/netinfo'
import * as SecureStore from 'expo-secure-store'
import { AppState } from 'react-native'

/** The app's backend: its token endpoint mints JWTs for the signed-in user, 401 otherwise. */
export const API_URL = 'https://api.example.com'

// Readable after the first unlock, so a token is there when the app wakes on a locked phone.
const secureStoreOptions = { keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK }

/** The app's one session, created once at module load (never inside a component). */
export const session = createSession({
  connector: httpConnector({ url: `${API_URL}/keyway/token` }),
  platform: reactNativePlatform({
    AppState,
    NetInfo,
    storage: secureStoreStorage(SecureStore, { secureStoreOptions }),
  }),
  // Nobody signed in (the endpoint answers 401): a guest with a device key in SecureStore.
  anonymous: anonymousIdentity({
    audience: API_URL,
    deviceKeys: secureStoreDeviceKeys(SecureStore, { secureStoreOptions }),
  }),
})
