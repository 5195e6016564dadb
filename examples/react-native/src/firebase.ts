// Firebase Auth on React Native: the same connector as in the browser, over React Native
// Firebase's Auth instance. This file type-checks it against @react-native-firebase/auth's own
// types (`pnpm typecheck`); docs/providers/firebase-react-native.md shows it.
import { createSession } from '@keyway/core'
import { firebaseConnector } from '@keyway/firebase/react-native'
import { reactNativePlatform, secureStoreStorage } from '@keyway/react-native'
import { getAuth } from '@react-native-firebase/auth'
import * as SecureStore from 'expo-secure-store'
import { AppState } from 'react-native'

export const firebaseSession = createSession({
  connector: firebaseConnector(getAuth()),
  platform: reactNativePlatform({ AppState, storage: secureStoreStorage(SecureStore) }),
})
