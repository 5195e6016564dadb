import type { Platform, TimerHandle } from '@keyway/core'

/** The clock and timers a platform runs on. */
export type PlatformClock = Pick<
  Platform,
  'now' | 'wallNow' | 'setTimeout' | 'clearTimeout' | 'random'
>

/** Timers that hold back, while paused, the callbacks that come due, and run them on resume. */
export interface PausableTimers {
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  readonly paused: boolean
  pause(): void
  /** Unpauses and runs, in the order they came due, the callbacks held back meanwhile. */
  resume(): void
}

interface Handle {
  inner: TimerHandle | undefined
}

/**
 * The session has no notion of pausing: it arms one timer at a time and clears it on the
 * `background` signal, but anything that re-schedules while the app is in the background (a
 * fetch that settles, a caller asking for a token) arms a new one, and Android keeps running
 * JavaScript timers for a while after the app leaves the screen. Rather than teach the core
 * about app states, the platform's timers hold back every callback that comes due in the
 * background and run it when the app is active again, so no refresh, retry or sleep check
 * fires behind the user's back. A held-back timer that runs late is seen as a wake by the
 * session, which then checks the token at once.
 */
export function pausableTimers(
  clock: Pick<Platform, 'setTimeout' | 'clearTimeout'>,
): PausableTimers {
  let paused = false
  const held = new Map<Handle, () => void>()
  return {
    setTimeout(callback, ms) {
      const handle: Handle = { inner: undefined }
      handle.inner = clock.setTimeout(() => {
        handle.inner = undefined
        if (paused) held.set(handle, callback)
        else callback()
      }, ms)
      return handle
    },
    clearTimeout(handle) {
      const h = handle as Handle | undefined
      if (!h || typeof h !== 'object') return
      if (h.inner !== undefined) clock.clearTimeout(h.inner)
      h.inner = undefined
      held.delete(h)
    },
    get paused() {
      return paused
    },
    pause() {
      paused = true
    },
    resume() {
      paused = false
      const due = [...held.values()]
      held.clear()
      for (const callback of due) callback()
    },
  }
}
