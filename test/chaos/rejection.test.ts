import { isKeywayError, KeywayError } from '@keyway/core'
import { describe, expect, it } from 'vitest'
import { fakeScenario, runFor } from './fake-scenario.js'

// Faults where the provider or a backend says no, on the fake clock, each asserting the
// shared invariants (invariants.ts) plus its own.

describe('chaos: rejections and revocation (fake clock)', () => {
  it('refresh token revoked (final error): no retry loop, healthy after the next sign-in', async () => {
    const s = await fakeScenario({ lifetimeSec: 60 })
    await s.session.getToken()
    s.fake.failAlways(new KeywayError('ERR_REVOKED', 'refresh token revoked', { transient: false }))
    s.rec.faultStarts()
    await s.t.clock.advance(50_000) // the proactive refresh meets the revocation
    expect(s.session.getSnapshot().status).toBe('error')
    expect(s.session.getSnapshot().lastError?.code).toBe('ERR_REVOKED')
    const calls = s.rec.calls.length
    await runFor(s.t, 30 * 60_000, 10_000, async () => {
      const error = await s.session.getToken().catch((e: unknown) => e)
      expect(isKeywayError(error, 'ERR_REVOKED')).toBe(true)
    })
    // A final answer is not retried: no call in 30 minutes, however often the app asks.
    expect(s.rec.calls.length).toBe(calls)
    expect(s.t.pendingTimers()).toBe(0)
    // The user signs in again: the provider tells the session.
    s.fake.failAlways(null)
    s.fake.setUser('user_1')
    s.rec.faultEnds()
    // Final is not transient: error (or signedOut) is allowed while it lasted.
    await s.rec.assertInvariants(s.session, { verify: s.verify, allowSignedOut: true })
    s.session.dispose()
  })

  it('same token returned after a rejection', async () => {
    const s = await fakeScenario({ lifetimeSec: 3600 })
    const token = await s.session.getToken()
    s.fake.ignoreForce(true) // the provider hands back its cached token even when forced
    s.rec.faultStarts()
    const retry = await s.session.reportRejected(token)
    expect(retry?.token).toBe(token) // kept once, for one retry
    const second = await s.session.reportRejected(token).catch((e: unknown) => e)
    expect(isKeywayError(second, 'ERR_REJECTED')).toBe(true)
    expect(s.session.getSnapshot()).toMatchObject({ status: 'error' })
    expect(s.session.getSnapshot().lastError?.code).toBe('ERR_REJECTED')
    // The twice-rejected token is never handed out again while the provider insists on it.
    await runFor(s.t, 3 * 60_000, 5_000, async () => {
      const answer = await s.session.getToken().catch((e: unknown) => e)
      expect(answer).not.toBe(token)
      expect(isKeywayError(answer)).toBe(true)
    })
    s.fake.ignoreForce(false)
    s.rec.faultEnds()
    const { token: recovered } = await s.rec.assertInvariants(s.session, { verify: s.verify })
    expect(recovered).not.toBe(token)
    s.session.dispose()
  })

  it('rejection storm from a misconfigured backend (every token rejected)', async () => {
    const s = await fakeScenario({ lifetimeSec: 3600 })
    await s.session.getToken()
    s.rec.faultStarts()
    let rejected = 0
    await runFor(s.t, 5 * 60_000, 500, async () => {
      const token = await s.session.getToken().catch(() => undefined)
      if (!token) return
      rejected++
      await s.session.reportRejected(token).catch((e: unknown) => {
        expect(isKeywayError(e)).toBe(true)
      })
    })
    s.rec.faultEnds()
    expect(rejected).toBeGreaterThan(10)
    expect(
      s.rec.snapshots.some(
        (r) => r.snapshot.status === 'error' && r.snapshot.lastError?.code === 'ERR_REJECTED',
      ),
    ).toBe(true)
    // ≤ 6 calls a minute for 5 minutes (the invariant checks every window).
    expect(s.rec.callsDuringFault().length).toBeLessThanOrEqual(5 * 6 + 1)
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })
})
