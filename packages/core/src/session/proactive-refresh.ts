import { MAX_TIMER_DELAY_MS } from '../policy.js'
import { type HeldCredentials, remainingMs } from './credentials.js'
import type { Engine } from './engine.js'
import { gapEnd, runFetch } from './fetch.js'
import { retryAllowedAt } from './retry.js'
import { current, ended, event, log } from './state.js'
import { minimumRemaining, refreshOffset } from './timing.js'
import type { SessionEvent } from './types.js'

/**
 * Proactive refresh: one timer, armed for the refresh point of the held token (or the next
 * retry while failing), never for more than `maxTimerMs`, and a timer that fires late means
 * the device slept.
 */

/** The held token's lifetime, or `null` when unknown (no token, or no expiry). */
export function lifetimeOf(e: Engine): number | null {
  return e._held?.lifetimeMs ?? null
}

/** Below this much life a token is not handed out (see `minimumRemaining`). */
export function floorOf(e: Engine, h: HeldCredentials | null | undefined): number {
  return minimumRemaining(e._lastFetchMs, h?.lifetimeMs ?? null, e._policy)
}

/**
 * The strictest `minValidityMs` a consumer asked within the last token lifetime, capped at
 * half the lifetime (a consumer cannot get more life than the issuer mints).
 */
export function strictMs(e: Engine, h: HeldCredentials): number {
  const lifetime = h.lifetimeMs ?? Infinity
  if (e._p.now() - e._strictAt > lifetime) e._strictMs = 0
  return Math.min(e._strictMs, lifetime / 2)
}

/** How long before expiry `h` is refreshed: lead and jitter drawn once per token. */
export function refreshOffsetOf(e: Engine, h: HeldCredentials): number {
  if (h.expiresMono === null) return -Infinity
  h.refreshOffsetMs ??= Math.max(
    refreshOffset(h.lifetimeMs ?? Math.max(0, remainingMs(h, e._p)), e._policy, e._p.random),
    floorOf(e, h),
  )
  // A consumer that needs more life: refreshed when the token reaches what it asked for (the
  // fetch's own time ahead), so it never waits, and never more often than that needs.
  const strict = strictMs(e, h)
  return strict ? Math.max(h.refreshOffsetMs, strict + 2 * e._lastFetchMs) : h.refreshOffsetMs
}

export function refreshDue(e: Engine, h: HeldCredentials): boolean {
  return remainingMs(h, e._p) <= refreshOffsetOf(e, h)
}

/** Looks at the token now and fetches when it is due; otherwise re-arms the timer. */
export function check(e: Engine, reason: 'proactive' | 'wake'): void {
  if (e._disposed || e._inflight || ended(e)) return
  const h = current(e)
  if (e._retry._inRow > 0 || !h || refreshDue(e, h))
    void runFetch(e, e._held && !e._held.stale ? reason : 'initial')
  else schedule(e)
}

/** online, wake, a timer that fired late: the backoff gives way, and the token is checked. */
export function wake(e: Engine): void {
  e._retry._backoffUntil = Math.min(e._retry._backoffUntil, e._p.now())
  check(e, 'wake')
}

/** Arms the one timer for the next thing due, or nothing when nothing is. */
export function schedule(e: Engine): void {
  clearTimer(e)
  const { _p: p, _policy: policy } = e
  if (e._disposed || e._inflight || e._background || !p.isOnline() || ended(e)) return
  const now = p.now()
  const h = current(e)
  const retrying = e._retry._inRow > 0 || (!h && e._held)
  let due: number
  if (retrying) due = retryAllowedAt(e._retry, policy, now, false)
  else if (!h || h.expiresMono === null) return
  else due = now + remainingMs(h, p) - refreshOffsetOf(e, h)
  due = Math.max(due, gapEnd(e), e._retry._notBefore)
  const wall = p.wallNow()
  const refreshAt = wall + due - now
  // For tools that draw the schedule (devtools); a retry's time is in its 'failure' event.
  if (!retrying && Math.abs(refreshAt - e._refreshAt) >= 1_000) {
    e._refreshAt = refreshAt
    event(e, { type: 'scheduled', refreshAt })
  }
  const delay = Math.min(Math.max(0, due - now), policy.maxTimerMs, MAX_TIMER_DELAY_MS)
  e._armed = [now, wall, delay]
  e._timer = p.setTimeout(() => onTimer(e), delay)
}

/**
 * Tells one inspector added late where the held token's refresh is set (the last 'scheduled'
 * point), so it need not wait for the next token. Nothing while failing or holding nothing.
 */
export function tellSchedule(e: Engine, inspector: (event: SessionEvent) => void): void {
  const h = current(e)
  if (!h || h.expiresMono === null || e._retry._inRow > 0 || e._refreshAt === -Infinity) return
  event(e, { type: 'scheduled', refreshAt: e._refreshAt }, new Set([inspector]))
}

function onTimer(e: Engine): void {
  e._timer = undefined
  const { _p: p } = e
  const [mono, wall, delay] = e._armed
  const elapsed = Math.max(p.now() - mono, p.wallNow() - wall)
  if (elapsed > e._policy.lateTimerFactor * delay && elapsed - delay > 1_000) {
    log(e, 'debug', `timer fired ${Math.round(elapsed - delay)} ms late: the device slept`)
    wake(e)
  } else check(e, 'proactive')
}

export function clearTimer(e: Engine): void {
  if (e._timer === undefined) return
  e._p.clearTimeout(e._timer)
  e._timer = undefined
}
