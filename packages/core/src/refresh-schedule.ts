import type { RefreshPolicy } from './policy.js'

/**
 * How long before expiry to refresh a token of the given lifetime:
 * `clamp(leadFraction × lifetime, minLead, maxLead)`, and never more than half the
 * lifetime so a very short token is not refreshed the moment it arrives.
 * Gives 15 s for a 60 s token and 5 min for a 1 h token.
 */
export function refreshLead(lifetimeMs: number, policy: RefreshPolicy): number {
  const lead = Math.min(
    policy.maxLeadMs,
    Math.max(policy.minLeadMs, lifetimeMs * policy.leadFraction),
  )
  return Math.min(lead, lifetimeMs / 2)
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

/** Below this much remaining life a token is not handed out: `max(minRemaining, 2 × last fetch time)`. */
export function minimumRemaining(lastFetchMs: number, policy: RefreshPolicy): number {
  return Math.max(policy.minRemainingMs, 2 * lastFetchMs)
}
