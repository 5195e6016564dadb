import { createSession, type SessionEvent } from '@keyway/core'
import {
  createFakeConnector,
  createMemoryCrossTab,
  createMemoryStorage,
  createTestPlatform,
} from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'
import { fakeSession } from '../test/fake-session.js'
import { devtoolsPlatform } from './devtools-platform.js'

const setup = () => fakeSession()

describe('devtoolsPlatform', () => {
  it('expireNow: the token is dead at once, the session refreshes as after a sleep, and the next token has its whole life', async () => {
    const { t, connector, debug, session, events } = await setup()
    await t.clock.advance(10_000)
    const before = session.getSnapshot().expiresAt!
    expect(before - t.clock.wallNow()).toBeGreaterThan(40_000)

    const seen = events.length
    const offsets: number[] = []
    debug.subscribe(() => offsets.push(debug.clockOffsetMs))
    let atWake: unknown = 'not called'
    session.inspect((e) => {
      if (e.type === 'host') atWake = session.peek()
    })
    debug.expireNow(session)
    // Dead when the session looked (the wake), and the clocks back once it started the refresh.
    expect(atWake).toBeUndefined()
    expect(offsets.length).toBe(2)
    expect(offsets[0]).toBeGreaterThan(40_000)
    expect(offsets[1]).toBe(0)
    await t.flush()

    expect(connector.calls.at(-1)?.reason).toBe('wake')
    expect(events.slice(seen).map((e) => e.type)).toEqual([
      'host',
      'fetch',
      'credentials',
      'scheduled',
    ])
    expect(debug.clockOffsetMs).toBe(0)
    // The clocks are back: the new token lives its 60 s (less the 1 s iat rounding), not 60 s
    // less the offset, which it would if the clocks stayed ahead of the issuer's.
    const left = session.getSnapshot().expiresAt! - t.clock.wallNow()
    console.log(`after expireNow: new token ${left} ms left`)
    expect(left).toBeGreaterThan(58_000)
    expect(session.peek()?.token).toBe(connector.minted.at(-1))
    // And it is refreshed on schedule (lead 15 s, jitter up to 6 s), once, not in a loop.
    const calls = connector.callCount
    await t.clock.advance(45_000)
    expect(connector.callCount).toBe(calls + 1)
    expect(connector.calls.at(-1)?.reason).toBe('proactive')
  })

  it('expireNow in one of two tabs: one refresh, the other tab takes it, and nothing shared is ahead of the clock', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({
      lifetimeSec: 60,
      now: t.clock.wallNow,
      track: t.track,
    })
    const storage = createMemoryStorage()
    const tabs = createMemoryCrossTab()
    const debugA = devtoolsPlatform({ ...t.platform, storage, crossTab: tabs.tab() })
    const a = createSession({ connector, platform: debugA.platform })
    const b = createSession({
      connector,
      platform: { ...t.platform, storage, crossTab: tabs.tab() },
    })
    const fromA: SessionEvent[] = []
    const fromB: SessionEvent[] = []
    a.inspect((e) => fromA.push(e))
    b.inspect((e) => fromB.push(e))
    const taken = (events: SessionEvent[]) =>
      events.flatMap((e) => (e.type === 'credentials' ? [e.from] : []))
    await a.getToken()
    await b.getToken()
    await t.clock.advance(10_000)
    const calls = connector.callCount
    fromA.splice(0)
    fromB.splice(0)

    debugA.expireNow(a)
    await t.flush()
    expect(connector.callCount).toBe(calls + 1)
    expect(connector.calls.at(-1)?.reason).toBe('wake')
    expect(b.peek()?.token).toBe(connector.minted.at(-1))
    expect(taken(fromB)).toEqual(['tab'])
    const shared = storage.data.values().next().value!
    expect(shared.receivedAtWall).toBeLessThanOrEqual(t.clock.wallNow())

    // The next refresh: one call in either tab, and the other takes it from the broadcast
    // (a receive time left ahead by the offset would make it refuse that broadcast).
    fromA.splice(0)
    fromB.splice(0)
    await t.clock.advance(50_000)
    expect(connector.callCount).toBe(calls + 2)
    expect([...taken(fromA), ...taken(fromB)].sort()).toEqual(['connector', 'tab'])
    expect(a.peek()?.token).toBe(connector.minted.at(-1))
    expect(b.peek()?.token).toBe(connector.minted.at(-1))
    a.dispose()
    b.dispose()
  })

  it('setOffline: no fetch while held offline, even past expiry and when the host comes online; one at once on release', async () => {
    const { t, connector, debug, session } = await setup()
    debug.setOffline(true)
    expect(debug.platform.isOnline()).toBe(false)
    const calls = connector.callCount
    await t.setOnline(false)
    await t.setOnline(true)
    await t.clock.advance(70_000)
    expect(connector.callCount).toBe(calls)
    expect(session.peek()).toBeUndefined()

    debug.setOffline(false)
    await t.flush()
    expect(connector.callCount).toBe(calls + 1)
    expect(session.peek()?.token).toBe(connector.minted.at(-1))
  })

  it('tells subscribers of every change', async () => {
    const { t, debug, session } = await setup()
    await t.clock.advance(2_000) // past the minimum gap between two calls (1 s)
    let changes = 0
    const stop = debug.subscribe(() => changes++)
    debug.setOffline(true)
    debug.setOffline(true)
    debug.setOffline(false)
    debug.expireNow(session) // ahead, then back as the session refreshes: two changes
    stop()
    debug.setOffline(true)
    expect(changes).toBe(4)
  })
})
