import type { RefreshPolicy } from './policy.js'

/**
 * Delay before retry number `attempt` (1-based) after a transient failure: full jitter,
 * `random × min(cap, base × 2^(attempt−1))`, and never shorter than the provider's
 * `Retry-After`.
 */
export function backoffDelay(
  attempt: number,
  policy: RefreshPolicy,
  random: () => number,
  retryAfterMs = 0,
): number {
  const ceiling = Math.min(
    policy.backoffCapMs,
    policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1),
  )
  return Math.max(retryAfterMs, random() * ceiling)
}

/**
 * A sliding one-minute window of connector calls: under any failure pattern the provider
 * sees at most `limit` calls a minute from one session.
 */
export class CallWindow {
  private readonly times: number[] = []

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Calls recorded within the window ending at `now`. */
  count(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift()
    return this.times.length
  }

  /** The earliest time another call fits in the window (`now` when it fits already). */
  nextAllowed(now: number): number {
    if (this.count(now) < this.limit) return now
    return this.times[this.times.length - this.limit]! + this.windowMs
  }

  record(now: number): void {
    this.times.push(now)
  }
}
