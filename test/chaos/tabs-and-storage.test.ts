import { indexedDbStorage, webCrossTab } from '@keyway/browser'
import { type CredentialStorage, createSession } from '@keyway/core'
import {
  createFakeConnector,
  createMemoryCrossTab,
  createMemoryStorage,
  createTestPlatform,
} from '@keyway/core/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type FakeScenario, fakeScenario, runFor } from './fake-scenario.js'
import { ChaosRecorder, tokenVerifier } from './invariants.js'

// Tabs that die and browser storage or channels that are missing, on the fake clock, each
// asserting the shared invariants (invariants.ts) plus its own. Two tabs = two sessions on
// one device: one fake clock, one storage, one lock/channel hub, one provider account.

afterEach(() => {
  vi.unstubAllGlobals()
})

/** Two tabs of one origin; `leaderRandom` makes tab A's refresh land first (more jitter). */
async function twoTabs(options: { hub?: boolean; storage?: CredentialStorage } = {}) {
  const t = createTestPlatform()
  const storage = options.storage ?? createMemoryStorage()
  const hub = createMemoryCrossTab()
  const tab = (random: number) => ({
    storage,
    ...(options.hub === false ? {} : { crossTab: hub.tab() }),
    random: () => random,
  })
  const a = await fakeScenario({ t, lifetimeSec: 60, platform: tab(0.9) })
  const b = await fakeScenario({
    t,
    lifetimeSec: 60,
    minter: a.fake.minter,
    platform: tab(0.1),
  })
  return { t, a, b, hub, storage }
}

async function serves(s: FakeScenario): Promise<void> {
  await s.verify(await s.session.getToken())
}

describe('chaos: tabs and browser storage (fake clock)', () => {
  it('tab killed mid-refresh', async () => {
    const { t, a, b, hub } = await twoTabs()
    await serves(a)
    await serves(b)
    expect(a.rec.calls.length + b.rec.calls.length).toBe(1) // one fetch for both tabs
    const releaseA = a.fake.hold() // tab A's next refresh hangs while it holds the lock
    await t.clock.advance(41_000) // A refreshes first (more jitter)…
    expect(a.fake.inFlight).toBe(1)
    expect(hub.lockHeld).toBe(true)
    b.rec.faultStarts()
    await t.clock.advance(5_000) // …and B's own refresh queues behind A's lock
    expect(b.session.getSnapshot().refreshing).toBe(true)
    expect(b.rec.calls.length).toBe(0)
    a.session.dispose() // the tab is closed mid-fetch
    expect(a.fake.calls.at(-1)!.signal.aborted).toBe(true)
    await t.flush()
    // B takes the lock at once and refreshes itself, before its token dies (at 59 s).
    expect(b.rec.calls).toHaveLength(1)
    expect(b.rec.calls[0]!.outcome).toBe('ok')
    expect(hub.lockHeld).toBe(false)
    b.rec.faultEnds()
    await b.rec.assertInvariants(b.session, { verify: b.verify })
    await runFor(t, 5 * 60_000, 5_000, () => serves(b))
    releaseA()
    b.session.dispose()
  })

  it('leader tab closed', async () => {
    const { t, a, b } = await twoTabs()
    await serves(a)
    await serves(b)
    await runFor(t, 3 * 60_000, 5_000, async () => {
      await serves(a)
      await serves(b)
    })
    // A led: it made every refresh, B took the results from the channel.
    expect(a.rec.calls.length).toBeGreaterThanOrEqual(4)
    expect(b.rec.calls.length).toBe(0)
    a.session.dispose()
    b.rec.faultStarts()
    await runFor(t, 5 * 60_000, 5_000, () => serves(b))
    b.rec.faultEnds()
    // B refreshes on its own now, about once per token.
    expect(b.rec.calls.length).toBeGreaterThanOrEqual(6)
    await b.rec.assertInvariants(b.session, { verify: b.verify })
    b.session.dispose()
  })

  it('IndexedDB unavailable (Node: no indexedDB global) → memory fallback', async () => {
    expect(typeof (globalThis as { indexedDB?: unknown }).indexedDB).toBe('undefined')
    const warnings: string[] = []
    const storage = indexedDbStorage({
      logger: { debug() {}, warn: (m) => warnings.push(m) },
    })
    const s = await fakeScenario({ lifetimeSec: 60, platform: { storage } })
    s.rec.faultStarts()
    await runFor(s.t, 10 * 60_000, 5_000, () => serves(s))
    s.rec.faultEnds()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/IndexedDB unavailable \(NotSupportedError\)/)
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    // A second session on the same storage (a remount) finds the token in the fallback.
    const calls = s.fake.callCount
    const again = createSession({ connector: s.fake, platform: { ...s.t.platform, storage } })
    expect(await again.getToken()).toBe(await s.session.getToken())
    expect(s.fake.callCount).toBe(calls)
    again.dispose()
    s.session.dispose()
  })

  it('BroadcastChannel unavailable (webCrossTab without it)', async () => {
    vi.stubGlobal('BroadcastChannel', undefined)
    const t = createTestPlatform()
    const storage = createMemoryStorage()
    const provider = await createFakeConnector({ lifetimeSec: 60, now: t.clock.wallNow })
    const verify = tokenVerifier(provider.minter.jwks, t.clock.wallNow)
    const tabs = await Promise.all(
      [0.9, 0.1].map(async (random) => {
        const fake = await createFakeConnector({
          lifetimeSec: 60,
          now: t.clock.wallNow,
          minter: provider.minter,
          track: t.track,
        })
        const rec = new ChaosRecorder({ clock: t.clock })
        const crossTab = webCrossTab({ locks: null })
        const session = createSession({
          connector: rec.instrument(fake),
          platform: { ...t.platform, storage, crossTab, random: () => random },
        })
        rec.observe(session)
        rec.faultStarts()
        return { rec, session }
      }),
    )
    await runFor(t, 10 * 60_000, 5_000, async () => {
      for (const tab of tabs) await verify(await tab.session.getToken())
    })
    // Without the channel each tab refreshes on its own (or finds the other's in storage):
    // never more than one call per tab per token.
    for (const tab of tabs) expect(tab.rec.calls.length).toBeLessThanOrEqual(16)
    for (const tab of tabs) {
      tab.rec.faultEnds()
      await tab.rec.assertInvariants(tab.session, { verify })
      tab.session.dispose()
    }
  })

  it('storage quota exceeded (set rejects with QuotaExceededError)', async () => {
    const memory = createMemoryStorage()
    let refused = 0
    const storage: CredentialStorage = {
      get: (key) => memory.get(key),
      delete: (key) => memory.delete(key),
      async set() {
        refused++
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      },
    }
    const s = await fakeScenario({ lifetimeSec: 60, platform: { storage } })
    s.rec.faultStarts()
    await runFor(s.t, 10 * 60_000, 5_000, () => serves(s))
    s.rec.faultEnds()
    expect(refused).toBeGreaterThanOrEqual(10)
    expect(s.t.logs.some((l) => l.message.includes('storage failed: QuotaExceededError'))).toBe(
      true,
    )
    expect(memory.data.size).toBe(0)
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })

  it('storage quota exceeded shared by two tabs: the leader still hands its token over', async () => {
    const storage: CredentialStorage = {
      get: async () => undefined,
      delete: async () => {},
      async set() {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      },
    }
    const { t, a, b } = await twoTabs({ storage })
    b.rec.faultStarts()
    await runFor(t, 5 * 60_000, 5_000, async () => {
      await serves(a)
      await serves(b)
    })
    b.rec.faultEnds()
    // The channel still carries the token: B never needs the provider.
    expect(b.rec.calls.length).toBeLessThanOrEqual(1)
    await a.rec.assertInvariants(a.session, { verify: a.verify })
    await b.rec.assertInvariants(b.session, { verify: b.verify })
    a.session.dispose()
    b.session.dispose()
  })
})
