// Stand-ins for the React Native host objects keyway takes by injection. No React Native
// runtime runs in these Node tests; each stand-in behaves like the real module in the ways
// keyway depends on (read from their sources: react-native AppState, netinfo 12,
// expo-secure-store 57, async-storage 2.2).
import type {
  AppStateLike,
  AsyncStorageLike,
  NetInfoLike,
  NetInfoStateLike,
  SecureStoreLike,
} from '../src/index.js'

/** `AppState`: `currentState` plus `change` events; `addEventListener` returns `{ remove }`. */
export function fakeAppState(initial = 'active') {
  const listeners = new Set<(state: string) => void>()
  const appState = {
    currentState: initial as string | null,
    addEventListener(_type: 'change', listener: (state: string) => void) {
      listeners.add(listener)
      return { remove: () => listeners.delete(listener) }
    },
    /** The OS moves the app to `state`. */
    set(state: string) {
      appState.currentState = state
      for (const listener of [...listeners]) listener(state)
    },
    listenerCount: () => listeners.size,
  }
  return appState satisfies AppStateLike
}

/** NetInfo: like the real one, a new listener hears the latest state soon after subscribing. */
export function fakeNetInfo(
  initial: NetInfoStateLike = { isConnected: true, isInternetReachable: true },
) {
  const listeners = new Set<(state: NetInfoStateLike) => void>()
  let latest = initial
  const netInfo = {
    addEventListener(listener: (state: NetInfoStateLike) => void) {
      listeners.add(listener)
      queueMicrotask(() => {
        if (listeners.has(listener)) listener(latest)
      })
      return () => {
        listeners.delete(listener)
      }
    },
    set(state: NetInfoStateLike) {
      latest = state
      for (const listener of [...listeners]) listener(state)
    },
    listenerCount: () => listeners.size,
  }
  return netInfo satisfies NetInfoLike
}

/** expo-secure-store: string values only, and keys must match /^[\w.-]+$/ (it throws otherwise). */
export function fakeSecureStore() {
  const data = new Map<string, string>()
  const options: unknown[] = []
  const check = (key: string) => {
    if (typeof key !== 'string' || !/^[\w.-]+$/.test(key))
      throw new Error(
        'Invalid key provided to SecureStore. Keys must not be empty and contain only alphanumeric characters, ".", "-", and "_".',
      )
  }
  const store = {
    data,
    options,
    async getItemAsync(key: string, o?: { keychainService?: string }) {
      check(key)
      options.push(o)
      return data.get(key) ?? null
    },
    async setItemAsync(key: string, value: string, o?: { keychainService?: string }) {
      check(key)
      options.push(o)
      if (typeof value !== 'string') throw new Error('Invalid value provided to SecureStore.')
      data.set(key, value)
    },
    async deleteItemAsync(key: string, o?: { keychainService?: string }) {
      check(key)
      options.push(o)
      data.delete(key)
    },
  }
  return store satisfies SecureStoreLike<{ keychainService?: string }>
}

/** AsyncStorage: an unencrypted string map. */
export function fakeAsyncStorage() {
  const data = new Map<string, string>()
  const store = {
    data,
    async getItem(key: string) {
      return data.get(key) ?? null
    },
    async setItem(key: string, value: string) {
      data.set(key, value)
    },
    async removeItem(key: string) {
      data.delete(key)
    },
  }
  return store satisfies AsyncStorageLike
}
