import { describe, expect, it } from 'vitest'
import { backoffDelay, CallWindow } from './backoff.js'
import { DEFAULT_POLICY } from './policy.js'

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

  it("honours the provider's Retry-After as a floor", () => {
    expect(backoffDelay(1, DEFAULT_POLICY, () => 0.1, 30_000)).toBe(30_000)
  })
})

describe('CallWindow: at most N calls in any minute', () => {
  it('admits N calls, then names the time the oldest leaves the window', () => {
    const w = new CallWindow(6)
    for (let i = 0; i < 6; i++) w.record(i * 1_000)
    expect(w.count(5_000)).toBe(6)
    expect(w.nextAllowed(5_000)).toBe(60_000)
    expect(w.nextAllowed(60_000)).toBe(60_000)
    expect(w.count(60_001)).toBe(5)
  })
})
