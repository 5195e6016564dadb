import { startWakeDetector } from '@keyway/browser'
import { isKeywayError, KeywayError } from '@keyway/core'
import { describe, expect, it } from 'vitest'
import { type FakeScenario, fakeScenario, runFor } from './fake-scenario.js'

// Provider and device faults on the fake clock, each asserting the shared invariants
// (invariants.ts) plus its own. The provider is createFakeConnector: real ES256 tokens,
// scriptable failures.

/** The app asks for its token; whatever it is handed must verify at the provider's clock. */
async function appUsesToken(s: FakeScenario, handed: string[] = []): Promise<void> {
  const token = await s.session.getToken().catch((e: unknown) => {
    expect(isKeywayError(e), `getToken rejected with a non-KeywayError: ${String(e)}`).toBe(true)
    return undefined
  })
  if (token === undefined) return
  await s.verify(token)
  handed.push(token)
}

/** Ten minutes of a 60 s token in use every 5 s, with the wall clock off or moved half-way. */
async function skewRun(offset: number, jump: number) {
  const s = await fakeScenario({ lifetimeSec: 60, wallOffsetMs: offset })
  const handed: string[] = []
  await appUsesToken(s, handed)
  s.rec.faultStarts()
  await runFor(s.t, 5 * 60_000, 5_000, () => appUsesToken(s, handed))
  if (jump) s.jumpWall(jump)
  await runFor(s.t, 5 * 60_000, 5_000, () => appUsesToken(s, handed))
  return { ...s, handed }
}

/**
 * About one refresh per 60 s token (40–45 s apart): no burst, and no request left unserved.
 * A wall clock that jumps forward looks exactly like a sleep during which the monotonic
 * clock stood still, so the session refreshes once at the jump: `early` such refreshes are
 * allowed, never a burst. `ahead`: the local clock runs ahead from the start, and until a
 * forced call bounds the issuer's clock the wall clock stands in for it, so the first
 * (unforced) token looks expired: one forced call follows it at once, then the steady pace.
 */
function expectSteadyRefresh(
  s: Awaited<ReturnType<typeof skewRun>>,
  early = 0,
  ahead = false,
): void {
  expect(s.handed).toHaveLength(121)
  expect(s.rec.calls.length).toBeLessThanOrEqual(ahead ? 18 : 17)
  if (ahead) {
    expect(s.rec.calls[1]!.at - s.rec.calls[0]!.at).toBeLessThan(1_000)
    expect(s.rec.calls[1]!.forceRefresh).toBe(true)
  }
  const calls = ahead ? s.rec.calls.slice(1) : s.rec.calls
  const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at)
  expect(gaps.filter((gap) => gap <= 30_000).length).toBeLessThanOrEqual(early)
  expect(Math.min(...gaps)).toBeGreaterThan(5_000)
}

describe('chaos: provider faults (fake clock)', () => {
  it('offline for 10 minutes across two expiries', async () => {
    const s = await fakeScenario({ lifetimeSec: 300 })
    await appUsesToken(s)
    await s.t.clock.advance(60_000)
    await s.t.setOnline(false)
    s.rec.faultStarts()
    const callsBefore = s.rec.calls.length
    const offlineErrors: unknown[] = []
    await runFor(s.t, 10 * 60_000, 10_000, async () => {
      const token = await s.session.getToken().catch((e: unknown) => {
        offlineErrors.push(e)
        return undefined
      })
      if (token) await s.verify(token)
    })
    // No fetch while offline, and a dead token is never handed out instead.
    expect(s.rec.calls.length).toBe(callsBefore)
    expect(offlineErrors.length).toBeGreaterThan(0)
    expect(offlineErrors.every((e) => isKeywayError(e, 'ERR_OFFLINE'))).toBe(true)
    await s.t.setOnline(true)
    s.rec.faultEnds()
    // Back online: one check at once.
    expect(s.rec.calls.length).toBe(callsBefore + 1)
    expect(s.rec.calls.at(-1)!.reason).toBe('wake')
    const { recoveredInMs } = await s.rec.assertInvariants(s.session, { verify: s.verify })
    expect(recoveredInMs).toBe(0)
    s.session.dispose()
  })

  describe('a two-hour sleep (clock jump)', () => {
    it('monotonic clock running: the late timer is taken as a wake', async () => {
      const s = await fakeScenario({ lifetimeSec: 3600 })
      const before = await s.session.getToken()
      await s.t.clock.advance(10 * 60_000)
      s.rec.faultStarts()
      await s.t.clock.sleep(2 * 3_600_000, { monotonic: true })
      s.rec.faultEnds()
      const { token } = await s.rec.assertInvariants(s.session, { verify: s.verify })
      expect(token).not.toBe(before)
      expect(s.rec.calls.at(-1)!.reason).toBe('wake')
      expect(s.t.logs.some((l) => l.message.includes('late'))).toBe(true)
      s.session.dispose()
    })

    it('monotonic clock stopped: the browser wake detector notices on the wall clock', async () => {
      const s = await fakeScenario({ lifetimeSec: 3600 })
      const stop = startWakeDetector(() => void s.t.emit('wake'), {
        clock: s.t.platform,
        isHidden: () => false,
      })
      const before = await s.session.getToken()
      await s.t.clock.advance(10 * 60_000)
      s.rec.faultStarts()
      await s.t.clock.sleep(2 * 3_600_000)
      s.rec.faultEnds()
      const { token, recoveredInMs } = await s.rec.assertInvariants(s.session, {
        verify: s.verify,
      })
      expect(token).not.toBe(before)
      expect(recoveredInMs).toBeLessThanOrEqual(10_000) // one detector tick
      stop()
      s.session.dispose()
    })
  })

  describe('local clock ±10 minutes off', () => {
    const cases = [
      { name: '10 min ahead from the start', offset: 10 * 60_000, jump: 0 },
      { name: '10 min behind from the start', offset: -10 * 60_000, jump: 0 },
      { name: 'set 10 min ahead mid-session', offset: 0, jump: 10 * 60_000 },
      { name: 'set 10 min back mid-session', offset: 0, jump: -10 * 60_000 },
    ]
    for (const c of cases)
      it(`local clock ${c.name}`, async () => {
        const s = await skewRun(c.offset, c.jump)
        // The app was served a valid token nearly every time.
        expect(s.handed.length).toBeGreaterThanOrEqual(120)
        expect(s.rec.calls.length).toBeGreaterThanOrEqual(12)
        if (c.offset) expect(s.t.logs.filter((l) => l.message.includes('clock'))).toHaveLength(1)
        await s.rec.assertInvariants(s.session, { verify: s.verify })
        s.session.dispose()
      })

    for (const c of cases)
      it(`local clock ${c.name}: one refresh per token, every request served`, async () => {
        const s = await skewRun(c.offset, c.jump)
        expectSteadyRefresh(s, c.jump > 0 ? 1 : 0, c.offset > 0)
        s.session.dispose()
      })
  })

  it('provider flapping every few seconds', async () => {
    const s = await fakeScenario({ lifetimeSec: 60 })
    await appUsesToken(s)
    const handed: string[] = []
    s.rec.faultStarts()
    for (let i = 0; i < 100; i++) {
      // 3 s down, 3 s up, for 10 minutes.
      s.fake.failAlways(i % 2 === 0 ? new KeywayError('ERR_PROVIDER', '503 flapping') : null)
      await runFor(s.t, 3_000, 1_000, () => appUsesToken(s, handed))
    }
    s.fake.failAlways(null)
    s.rec.faultEnds()
    // The app keeps getting valid tokens through most of it.
    expect(handed.length).toBeGreaterThan(200)
    expect(s.rec.calls.some((c) => c.outcome === 'error')).toBe(true)
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })

  it('a connector that never settles', async () => {
    const s = await fakeScenario({ lifetimeSec: 3600 })
    const token = await s.session.getToken()
    await s.t.clock.advance(50 * 60_000) // inside the refresh lead
    s.fake.neverSettle(true)
    s.rec.faultStarts()
    const firstHung = s.rec.calls.length
    await runFor(s.t, 5 * 60_000, 5_000, async () => {
      // The still-valid token keeps being served while every refresh hangs.
      expect(await s.session.getToken()).toBe(token)
    })
    s.fake.neverSettle(false)
    s.rec.faultEnds()
    const hung = s.rec.calls.slice(firstHung)
    expect(hung.length).toBeGreaterThanOrEqual(3)
    // Each hung call was cut off by the session's 15 s timeout through its signal.
    for (const [i, call] of hung.entries()) {
      expect(call.outcome).toBe('error')
      expect(isKeywayError(call.thrown)).toBe(true)
      expect(s.fake.calls[firstHung + i]!.signal.aborted).toBe(true)
    }
    expect(s.session.getSnapshot().lastError?.code).toBe('ERR_TIMEOUT')
    expect(s.fake.inFlight).toBe(0)
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })

  describe('a connector that throws a non-Error value', () => {
    const values: Array<{ name: string; value: unknown }> = [
      { name: 'a string', value: 'provider exploded' },
      { name: 'undefined', value: undefined },
      { name: 'a plain object', value: { status: 503, detail: 'nope' } },
      { name: 'null', value: null },
      { name: 'a number', value: 42 },
    ]
    for (const { name, value } of values)
      it(`a connector that throws ${name}`, async () => {
        // No token yet: from the very first call on, for two minutes.
        const s = await fakeScenario({
          lifetimeSec: 3600,
          prepare: (_, throwAlways) => throwAlways(value),
        })
        s.rec.faultStarts()
        const error = await s.session.getToken().catch((e: unknown) => e)
        expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
        expect((error as KeywayError).transient).toBe(true)
        expect((error as KeywayError).cause).toBe(value)
        // The session retries on its own; every failure it records is coded and transient.
        await s.t.clock.advance(2 * 60_000)
        const failures = s.rec.calls.filter((c) => c.outcome === 'error')
        expect(failures.length).toBeGreaterThanOrEqual(3)
        expect(failures.every((c) => c.thrown === value)).toBe(true)
        expect(s.session.getSnapshot().lastError?.code).toBe('ERR_PROVIDER')
        expect(s.session.getSnapshot().lastError?.transient).toBe(true)
        expect(s.session.getSnapshot().status).toBe('error')
        s.stopThrowing()
        s.rec.faultEnds()
        await s.rec.assertInvariants(s.session, { verify: s.verify })
        s.session.dispose()
      })
  })

  // Regression: 'initial' retries used to skip the call budget, so each ask was a call.
  it('provider down at start-up while the app keeps asking for a token', async () => {
    const s = await fakeScenario({
      prepare: (_, throwAlways) => throwAlways(new TypeError('fetch failed')),
    })
    s.rec.faultStarts()
    await runFor(s.t, 60_000, 1_000, async () => {
      const error = await s.session.getToken().catch((e: unknown) => e)
      expect(isKeywayError(error)).toBe(true)
    })
    s.stopThrowing()
    s.rec.faultEnds()
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })
})
