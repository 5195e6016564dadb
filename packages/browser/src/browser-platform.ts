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
  // Core's default logger prefixes `[keyway]`; an app's own logger gets the bare message.
  const base = defaultPlatform(options.logger ? { logger: options.logger } : {})
  const logger = base.logger
  return {
    ...base,
    storage:
      options.persist === 'memory'
        ? memoryStorage()
        : indexedDbStorage({ dbName: options.dbName, logger }),
    ...(options.crossTab === false ? {} : { crossTab: webCrossTab({ logger }) }),
    isOnline: () => globalThis.navigator?.onLine !== false,
    subscribe(listener: (event: PlatformEvent) => void) {
      const win = globalThis as unknown as Window
      if (typeof win.addEventListener !== 'function') return () => {}
      const wake = () => listener('wake')
      const onVisibility = () => {
        if (globalThis.document?.visibilityState === 'visible') wake()
      }
      // Page Lifecycle: a frozen page (background tab, bfcache, a discarded-then-restored
      // tab) gets `resume` before its timers run again, so the check need not wait for them.
      const doc = globalThis.document
      const events: Array<[EventTarget | undefined, string, () => void]> = [
        [win, 'focus', wake],
        [win, 'pageshow', wake],
        [win, 'online', () => listener('online')],
        [win, 'offline', () => listener('offline')],
        [doc, 'visibilitychange', onVisibility],
        [doc, 'resume', wake],
      ]
      for (const [target, type, handler] of events) target?.addEventListener(type, handler)
      const stopDetector = startWakeDetector(wake, { intervalMs: options.wakeCheckMs, clock: base })
      return () => {
        for (const [target, type, handler] of events) target?.removeEventListener(type, handler)
        stopDetector()
      }
    },
  }
}
