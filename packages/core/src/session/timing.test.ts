import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../policy.js'
import { seededRandom } from '../testing/index.js'
import { minimumGap, minimumRemaining, refreshJitter, refreshLead } from './timing.js'

describe('refresh lead = clamp(25% of lifetime, 10 s, 5 min)', () => {
  it('gives 15 s for a 60 s token (Clerk) and 5 min for a 1 h token (Firebase)', () => {
    expect(refreshLead(60_000, DEFAULT_POLICY)).toBe(15_000)
    expect(refreshLead(3_600_000, DEFAULT_POLICY)).toBe(300_000)
  })

  it('never goes below 10 s, nor above 40% of the lifetime for short tokens', () => {
    expect(refreshLead(30_000, DEFAULT_POLICY)).toBe(10_000)
    expect(refreshLead(20_000, DEFAULT_POLICY)).toBe(8_000)
    expect(refreshLead(6_000, DEFAULT_POLICY)).toBe(2_400)
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

  it('holds a token back below max(5 s, 2 × the last fetch time), at most a quarter of its lifetime', () => {
    expect(minimumRemaining(0, 60_000, DEFAULT_POLICY)).toBe(5_000)
    expect(minimumRemaining(4_000, 60_000, DEFAULT_POLICY)).toBe(8_000)
    expect(minimumRemaining(0, 6_000, DEFAULT_POLICY)).toBe(1_500)
    expect(minimumRemaining(0, null, DEFAULT_POLICY)).toBe(5_000)
  })

  it('keeps calls at least min(1 s, lifetime / 4) apart', () => {
    expect(minimumGap(60_000, DEFAULT_POLICY)).toBe(1_000)
    expect(minimumGap(2_000, DEFAULT_POLICY)).toBe(500)
    expect(minimumGap(null, DEFAULT_POLICY)).toBe(1_000)
  })

  it('the floor stays below the lead for every lifetime from 2 s to 1 day, so the refresh comes first', () => {
    for (let lifetime = 2_000; lifetime <= 86_400_000; lifetime *= 1.1)
      expect(minimumRemaining(0, lifetime, DEFAULT_POLICY)).toBeLessThan(
        refreshLead(lifetime, DEFAULT_POLICY),
      )
  })
})
