import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../policy.js'
import {
  backoffDelay,
  newRetryState,
  nextCallAllowed,
  recordFailure,
  retryAllowedAt,
} from './retry.js'

describe('backoff: full jitter, base 1 s, ×2, cap 60 s', () => {
  it('draws uniformly below the ceiling of each attempt', () => {
    expect(backoffDelay(1, DEFAULT_POLICY, () => 0.999)).toBeCloseTo(999, 0)
    expect(backoffDelay(3, DEFAULT_POLICY, () => 0.5)).toBe(2_000)
    expect(backoffDelay(1, DEFAULT_POLICY, () => 0)).toBe(0)
  })

  it('caps at 60 s however many attempts failed', () => {
    expect(backoffDelay(30, DEFAULT_POLICY, () => 0.999999)).toBeLessThan(60_000)
    expect(backoffDelay(30, DEFAULT_POLICY, () => 0.999999)).toBeGreaterThan(59_000)
  })

  it("honours the provider's Retry-After as a floor for every call, a waiting caller's probe too", () => {
    const retry = newRetryState()
    const error = { retryAfterMs: 30_000 } as never
    recordFailure(retry, error, 0, 0, DEFAULT_POLICY, () => 0.1)
    expect(retryAllowedAt(retry, DEFAULT_POLICY, 0, false)).toBe(30_000)
    expect(retryAllowedAt(retry, DEFAULT_POLICY, 0, true)).toBe(30_000)
  })

  it('a probe cuts the backoff short, but not the failure budget', () => {
    const retry = newRetryState()
    for (let i = 0; i < 6; i++)
      recordFailure(retry, undefined, i * 1_000, i * 1_000, DEFAULT_POLICY, () => 0.9)
    expect(retryAllowedAt(retry, DEFAULT_POLICY, 6_000, false)).toBeGreaterThan(6_000)
    // Six failures in the minute: even a probe waits for the oldest to leave the window.
    expect(retryAllowedAt(retry, DEFAULT_POLICY, 6_000, true)).toBe(60_000)
  })
})

describe('nextCallAllowed: at most N calls in any minute', () => {
  it('admits N calls, then names the time the oldest leaves the window', () => {
    const calls = [0, 1_000, 2_000, 3_000, 4_000]
    expect(nextCallAllowed(calls, 6, 5_000)).toBe(5_000)
    calls.push(5_000)
    expect(nextCallAllowed(calls, 6, 5_000)).toBe(60_000)
    expect(nextCallAllowed(calls, 6, 60_000)).toBe(60_000)
    expect(calls).toEqual([1_000, 2_000, 3_000, 4_000, 5_000])
  })
})
