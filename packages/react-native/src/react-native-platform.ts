import {
  type CredentialStorage,
  defaultPlatform,
  type Logger,
  type Platform,
  type PlatformEvent,
} from '@keyway/core'
import { type PlatformClock, pausableTimers } from './paused-timers.js'

/** The part of React Native's `AppState` keyway uses (typed here so nothing imports `react-native`). */
export interface AppStateLike {
  readonly currentState: string | null
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void }
}

/** The part of a NetInfo state keyway reads. */
export interface NetInfoStateLike {
  isConnected: boolean | null
  isInternetReachable?: boolean | null
}

/** The part of `@react-native-community/netinfo` keyway uses. */
export interface NetInfoLike {
  addEventListener(listener: (state: NetInfoStateLike) => void): () => void
}

export interface ReactNativePlatformOptions {
  /** `AppState` from `react-native`. */
  AppState: AppStateLike
  /** The default export of `@react-native-community/netinfo`. Without it keyway assumes online. */
  NetInfo?: NetInfoLike
  /** Where credentials persist: `secureStoreStorage(SecureStore)` (recommended) or `asyncStorageStorage(AsyncStorage)`. */
  storage: CredentialStorage
  /**
   * Also count `isInternetReachable === false` as offline. Default `false`: the reachability
   * probe can fail on networks that block its URL, and a false "offline" would stop every
   * refresh, while a false "online" costs one failed fetch that backs off.
   */
  offlineWhenUnreachable?: boolean
  logger?: Logger
  /** Clock and timers underneath. Default: `defaultPlatform()`'s (for tests: a fake clock). */
  clock?: PlatformClock
}

/**
 * The React Native / Expo platform for `createSession`. When the app comes to the foreground
 * (`AppState` turns `active`) the session checks its token at once; while it is in the
 * background no timer fires (callbacks that come due are held until the app is active again,
 * see `pausableTimers`); with NetInfo, nothing is fetched while offline and the session
 * checks at once when connectivity returns. No cross-tab part: an app has one JS realm.
 * Listeners exist only while a session is subscribed; nothing runs at import.
 *
 * @example
 * ```ts
 * import { AppState } from 'react-native'
 * import NetInfo from '@react-native-community/netinfo'
 * import * as SecureStore from 'expo-secure-store'
 * import { reactNativePlatform, secureStoreStorage } from '@keyway/react-native'
 *
 * const platform = reactNativePlatform({ AppState, NetInfo, storage: secureStoreStorage(SecureStore) })
 * const session = createSession({ connector, platform })
 * ```
 */
export function reactNativePlatform(options: ReactNativePlatformOptions): Platform {
  const base = defaultPlatform()
  const clock: PlatformClock = options.clock ?? base
  const timers = pausableTimers(clock)
  const listeners = new Set<(event: PlatformEvent) => void>()
  let online = true
  let appState: string | null = null
  let detach: (() => void) | undefined

  const emit = (event: PlatformEvent) => {
    for (const listener of [...listeners]) listener(event)
  }

  const onAppState = (next: string) => {
    const previous = appState
    appState = next
    if (next === 'background' && previous !== 'background') {
      timers.pause()
      emit('background')
    } else if (next === 'active' && previous !== 'active') {
      // Held-back timers first (the session reads them as late, i.e. a wake), then the
      // explicit wake: the second check finds the first one's fetch in flight.
      timers.resume()
      emit('wake')
    }
  }

  const onNetInfo = (state: NetInfoStateLike) => {
    const next =
      state.isConnected !== false &&
      !(options.offlineWhenUnreachable && state.isInternetReachable === false)
    if (next === online) return
    online = next
    if (!online) emit('offline')
    // In the background the foreground `wake` does the check instead.
    else if (!timers.paused) emit('online')
  }

  const attach = () => {
    appState = options.AppState.currentState
    if (appState === 'background') timers.pause()
    const appSubscription = options.AppState.addEventListener('change', onAppState)
    const stopNetInfo = options.NetInfo?.addEventListener(onNetInfo)
    return () => {
      appSubscription.remove()
      stopNetInfo?.()
      timers.resume()
    }
  }

  return {
    now: clock.now,
    wallNow: clock.wallNow,
    random: clock.random,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    isOnline: () => online,
    storage: options.storage,
    logger: options.logger ?? base.logger,
    subscribe(listener) {
      listeners.add(listener)
      detach ??= attach()
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return
        detach?.()
        detach = undefined
      }
    },
  }
}
