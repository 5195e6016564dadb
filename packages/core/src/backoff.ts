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
 * The call budget: when the next connector call fits, given the times of earlier calls
 * (ascending) and at most `limit` calls in any minute; `now` when it fits already. Times
 * older than a minute are dropped from `calls`. Under any failure pattern the provider
 * sees at most `limit` calls a minute from one session.
 */
export function nextCallAllowed(calls: number[], limit: number, now: number): number {
  while (calls.length > 0 && calls[0]! <= now - 60_000) calls.shift()
  return calls.length < limit ? now : calls[calls.length - limit]! + 60_000
}
