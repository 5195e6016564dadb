// First: React Native has no crypto.getRandomValues, which the guest's device seed and every
// token id need (or pass `randomBytes` from expo-crypto to secureStoreDeviceKeys).
import 'react-native-get-random-values'
import { registerRootComponent } from 'expo'
import App from './App'

registerRootComponent(App)
