import { defaultPlatform, type Platform } from '@keyway/core'

/** The clock and timers the detector runs on: a `Platform`, or the page's own by default. */
export type WakeDetectorClock = Pick<Platform, 'now' | 'wallNow' | 'setTimeout' | 'clearTimeout'>

export interface WakeDetectorOptions {
  /** How often to look at the clock. Default 10 s. */
  intervalMs?: number
  /** A tick later than `factor × intervalMs` means time passed unseen. Default 2. */
  factor?: number
  /**
   * Hidden pages get their timers batched to about once a minute (Chrome's intensive
   * throttling), which is not a sleep: while this returns `true` a tick must be more than
   * `hiddenThresholdMs` late to count. Default: `document.visibilityState === 'hidden'`.
   */
  isHidden?: () => boolean
  /** Lateness that counts while hidden. Default 2 min. */
  hiddenThresholdMs?: number
  /** Default: core's `defaultPlatform()` (`performance.now()`, `Date.now()`, the page's timers). */
  clock?: WakeDetectorClock
}

const pageHidden = () => globalThis.document?.visibilityState === 'hidden'

/**
 * Notices that the page was frozen or the device slept, when no event says so: a timer
 * armed for `intervalMs` that fires more than `factor` times late means time passed unseen.
 * Lateness is read on both clocks, the larger one, because the monotonic clock stands still
 * during a suspend on some systems while the wall clock does not. Runs only while started;
 * `browserPlatform` starts it when a session subscribes. Returns the stop function.
 *
 * @example
 * ```ts
 * const stop = startWakeDetector(() => console.log('woke up'), { intervalMs: 10_000 })
 * // later
 * stop()
 * ```
 */
export function startWakeDetector(
  onWake: () => void,
  options: WakeDetectorOptions = {},
): () => void {
  const interval = options.intervalMs ?? 10_000
  const factor = options.factor ?? 2
  const isHidden = options.isHidden ?? pageHidden
  const hiddenThreshold = options.hiddenThresholdMs ?? 2 * 60_000
  const clock = options.clock ?? defaultPlatform()
  let last = { mono: clock.now(), wall: clock.wallNow() }
  let stopped = false
  let timer: unknown
  const tick = () => {
    if (stopped) return
    const at = { mono: clock.now(), wall: clock.wallNow() }
    const elapsed = Math.max(at.mono - last.mono, at.wall - last.wall)
    const threshold = isHidden() ? Math.max(factor * interval, hiddenThreshold) : factor * interval
    last = at
    timer = clock.setTimeout(tick, interval)
    if (elapsed > threshold) onWake()
  }
  timer = clock.setTimeout(tick, interval)
  return () => {
    stopped = true
    clock.clearTimeout(timer)
  }
}
