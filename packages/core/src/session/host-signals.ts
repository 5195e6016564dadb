import type { PlatformEvent } from '../platform.js'
import type { Engine } from './engine.js'
import { clearTimer, wake } from './proactive-refresh.js'
import { event } from './state.js'

/**
 * Host signals: offline and background stop the timer (no call can or should go out);
 * online and wake (visibility, focus, AppState active) look at the token at once, even
 * inside a backoff wait. The provider's Retry-After still holds.
 */
export function onHostSignal(e: Engine, signal: PlatformEvent): void {
  if (e._disposed) return
  event(e, { type: 'host', signal })
  if (signal === 'offline' || signal === 'background') {
    e._background ||= signal === 'background'
    clearTimer(e)
  } else {
    e._background = false
    wake(e)
  }
}
