import type { Platform, PlatformEvent, Session } from '@keyway/core'

/** The faults `devtoolsPlatform` can inject into the sessions that use its platform. */
export interface DevtoolsControls {
  /** The platform to pass to `createSession`: `base`, with the faults below applied. */
  readonly platform: Platform
  /** `true` while `setOffline(true)` holds the session offline. */
  readonly offline: boolean
  /**
   * Holds the session offline (`isOnline()` answers `false` and the session gets `offline`),
   * or lets it back online (it gets `online` when the host is online). While held offline the
   * host's own `online` events are not passed on.
   */
  setOffline(offline: boolean): void
  /**
   * Makes `session`'s token expire now: moves this tab's wall clock past its expiry and
   * signals a wake, as if the device had slept through the rest of the token's life. The
   * clock comes back as soon as the session reacts (starts a refresh, takes a token from
   * another tab, signs out): see docs/devtools.md for why. Does nothing without a token that
   * expires.
   */
  expireNow(session: Session): void
  /** How far ahead of the host the wall clock is now (ms); 0 unless a token was expired. */
  readonly clockOffsetMs: number
  /** Called after every change of `offline` or `clockOffsetMs`. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
}

/**
 * Wraps a platform with switches for the devtools panel's fault buttons, so that "go
 * offline" and "expire now" act through the platform the session already reads, never by
 * patching it. Everything else (timers, storage, tabs, logger) is `base` as it is.
 *
 * @example
 * ```ts
 * const debug = devtoolsPlatform(browserPlatform())
 * const session = createSession({ connector, platform: debug.platform })
 * mountKeywayDevtools({ sessions: [{ session, controls: debug }] })
 * ```
 */
export function devtoolsPlatform(base: Platform): DevtoolsControls {
  const listeners = new Set<(event: PlatformEvent) => void>()
  const watchers = new Set<() => void>()
  let offline = false
  let offsetMs = 0

  const send = (event: PlatformEvent) => {
    for (const listener of [...listeners]) listener(event)
  }
  const changed = () => {
    for (const watcher of [...watchers]) watcher()
  }

  const platform: Platform = {
    ...base,
    wallNow: () => base.wallNow() + offsetMs,
    isOnline: () => !offline && base.isOnline(),
    subscribe(listener) {
      listeners.add(listener)
      const stop = base.subscribe((event) => {
        if (!(offline && event === 'online')) listener(event)
      })
      return () => {
        listeners.delete(listener)
        stop()
      }
    },
  }

  return {
    platform,
    get offline() {
      return offline
    },
    get clockOffsetMs() {
      return offsetMs
    },
    setOffline(value) {
      if (value === offline) return
      offline = value
      if (offline) send('offline')
      else if (base.isOnline()) send('online')
      changed()
    },
    expireNow(session) {
      const { expiresAt, tokenVersion } = session.getSnapshot()
      if (expiresAt === null) return
      const left = expiresAt - platform.wallNow()
      if (left < 0) return
      // The wall clock only: the session takes the smaller of the two clocks' answers, and a
      // monotonic clock that stood still is what many hosts report after a sleep.
      offsetMs += left + 1
      // Back as soon as the session reacts: it starts a refresh, takes another tab's token,
      // or signs out. Left ahead, the wall clock would leak into what the session shares with
      // other tabs (a token's expiry and receive time are wall-clock times).
      const stop = session.subscribe(() => {
        const now = session.getSnapshot()
        if (!now.refreshing && now.tokenVersion === tokenVersion) return
        stop()
        offsetMs = 0
        changed()
      })
      changed()
      send('wake')
    },
    subscribe(listener) {
      watchers.add(listener)
      return () => {
        watchers.delete(listener)
      }
    },
  }
}
