import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from './policy.js'
import { minimumRemaining, refreshJitter, refreshLead } from './refresh-schedule.js'
import { seededRandom } from './testing/index.js'

describe('refresh lead = clamp(25% of lifetime, 10 s, 5 min)', () => {
  it('gives 15 s for a 60 s token (Clerk) and 5 min for a 1 h token (Firebase)', () => {
    expect(refreshLead(60_000, DEFAULT_POLICY)).toBe(15_000)
    expect(refreshLead(3_600_000, DEFAULT_POLICY)).toBe(300_000)
  })

  it('never goes below 10 s, nor above half the lifetime for very short tokens', () => {
    expect(refreshLead(30_000, DEFAULT_POLICY)).toBe(10_000)
    expect(refreshLead(12_000, DEFAULT_POLICY)).toBe(6_000)
    expect(refreshLead(24 * 3_600_000, DEFAULT_POLICY)).toBe(300_000)
  })

  it('keeps jitter within [0, 10% of lifetime) over 1000 draws, and spreads it', () => {
    const random = seededRandom(7)
    const draws = Array.from({ length: 1000 }, () => refreshJitter(60_000, DEFAULT_POLICY, random))
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...draws)).toBeLessThan(6_000)
    // Spread: both ends of the range are used, so clients issued together do not refresh together.
    expect(draws.filter((d) => d < 1_000).length).toBeGreaterThan(100)
    expect(draws.filter((d) => d > 5_000).length).toBeGreaterThan(100)
  })

  it('holds a token back below max(5 s, 2 × the last fetch time)', () => {
    expect(minimumRemaining(0, DEFAULT_POLICY)).toBe(5_000)
    expect(minimumRemaining(4_000, DEFAULT_POLICY)).toBe(8_000)
  })
})
