import { defaultPlatform, type Logger, type Platform, type PlatformEvent } from '@keyway/core'
import { indexedDbStorage, memoryStorage } from './indexeddb-storage.js'
import { startWakeDetector } from './wake-detector.js'
import { webCrossTab } from './web-cross-tab.js'

export interface BrowserPlatformOptions {
  /** `'indexeddb'` (default) keeps credentials across reloads; `'memory'` does not. */
  persist?: 'indexeddb' | 'memory'
  /** IndexedDB database name. Default `keyway`. */
  dbName?: string
  /** One refresh for all tabs (Web Locks + BroadcastChannel). Default `true`. */
  crossTab?: boolean
  logger?: Logger
  /** How often the freeze/sleep detector looks at the clock. Default 10 s. */
  wakeCheckMs?: number
}

/**
 * The browser platform for `createSession`: credentials persisted in IndexedDB, one
 * refresh shared by every tab, and a check at once when the page becomes visible, gets
 * focus, comes back online, resumes from a freeze (`resume`), or wakes from a sleep (a
 * timer that fires far too late). Nothing runs at import; event
 * listeners exist only while a session is subscribed.
 *
 * @example
 * ```ts
 * import { createSession } from '@keyway/core'
 * import { browserPlatform } from '@keyway/browser'
 *
 * const session = createSession({ connector, platform: browserPlatform() })
 * ```
 */
export function browserPlatform(options: BrowserPlatformOptions = {}): Platform {
  const logger = options.logger ?? {
    debug() {},
    warn: (message: string) => globalThis.console?.warn(message),
  }
  return defaultPlatform({
    logger,
    storage:
      options.persist === 'memory'
        ? memoryStorage()
        : indexedDbStorage({ dbName: options.dbName, logger }),
    ...(options.crossTab === false ? {} : { crossTab: webCrossTab() }),
    isOnline: () => globalThis.navigator?.onLine !== false,
    subscribe(listener: (event: PlatformEvent) => void) {
      const win = globalThis as unknown as Window
      if (typeof win.addEventListener !== 'function') return () => {}
      const wake = () => listener('wake')
      const onVisibility = () => {
        if (globalThis.document?.visibilityState === 'visible') wake()
      }
      const online = () => listener('online')
      const offline = () => listener('offline')
      win.addEventListener('focus', wake)
      win.addEventListener('pageshow', wake)
      win.addEventListener('online', online)
      win.addEventListener('offline', offline)
      globalThis.document?.addEventListener('visibilitychange', onVisibility)
      // Page Lifecycle: a frozen page (background tab, bfcache, a discarded-then-restored
      // tab) gets `resume` before its timers run again, so the check need not wait for them.
      globalThis.document?.addEventListener('resume', wake)
      const stopDetector = startWakeDetector(wake, { intervalMs: options.wakeCheckMs })
      return () => {
        win.removeEventListener('focus', wake)
        win.removeEventListener('pageshow', wake)
        win.removeEventListener('online', online)
        win.removeEventListener('offline', offline)
        globalThis.document?.removeEventListener('visibilitychange', onVisibility)
        globalThis.document?.removeEventListener('resume', wake)
        stopDetector()
      }
    },
  })
}
