import type { RefreshPolicy } from '../policy.js'

/**
 * The numbers of a token's life, all scaled to its lifetime so that a 2 s token and a 1 h
 * token follow the same rules without a zero-delay loop:
 *
 * | lifetime | lead | jitter (up to) | floor | min gap |
 * |---|---|---|---|---|
 * | 1 h | 5 min | 6 min | 5 s | 1 s |
 * | 60 s | 15 s | 6 s | 5 s | 1 s |
 * | 20 s | 8 s | 2 s | 5 s | 1 s |
 * | 6 s | 2.4 s | 0.6 s | 1.5 s | 1 s |
 * | 2 s | 0.8 s | 0.2 s | 0.5 s | 0.5 s |
 */

/**
 * How long before expiry to refresh: `clamp(leadFraction × lifetime, minLead, maxLead)`, and
 * never more than `maxLeadFraction` of the lifetime, so a short token lives most of its life.
 */
export function refreshLead(lifetimeMs: number, policy: RefreshPolicy): number {
  const lead = Math.min(
    policy.maxLeadMs,
    Math.max(policy.minLeadMs, lifetimeMs * policy.leadFraction),
  )
  return Math.min(lead, lifetimeMs * policy.maxLeadFraction)
}

/**
 * The random part taken off the refresh time: uniform in `[0, jitterFraction × lifetime)`,
 * so many clients given tokens in the same second do not all refresh in the same second.
 */
export function refreshJitter(
  lifetimeMs: number,
  policy: RefreshPolicy,
  random: () => number,
): number {
  return random() * policy.jitterFraction * lifetimeMs
}

/** Milliseconds before expiry at which this token should be refreshed (lead plus jitter). */
export function refreshOffset(
  lifetimeMs: number,
  policy: RefreshPolicy,
  random: () => number,
): number {
  return refreshLead(lifetimeMs, policy) + refreshJitter(lifetimeMs, policy, random)
}

/**
 * Below this much remaining life a token is not handed out: `max(minRemaining, 2 × last
 * fetch time)`, scaled down to a quarter of the lifetime for short tokens (a 6 s token is
 * handed out down to 1.5 s). Always below the refresh lead, so the refresh comes first.
 */
export function minimumRemaining(
  lastFetchMs: number,
  lifetimeMs: number | null,
  policy: RefreshPolicy,
): number {
  const floor = Math.max(policy.minRemainingMs, 2 * lastFetchMs)
  return lifetimeMs === null ? floor : Math.min(floor, lifetimeMs / 4)
}

/**
 * The shortest time between two connector calls outside a rejection or a user change:
 * `min(minCallGap, lifetime / 4)`. Whatever the lifetime, no loop runs at zero delay.
 */
export function minimumGap(lifetimeMs: number | null, policy: RefreshPolicy): number {
  return lifetimeMs === null ? policy.minCallGapMs : Math.min(policy.minCallGapMs, lifetimeMs / 4)
}
