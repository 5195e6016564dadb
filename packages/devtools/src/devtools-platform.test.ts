import { createSession, type SessionEvent } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'
import { devtoolsPlatform } from './devtools-platform.js'

async function setup() {
  const t = createTestPlatform()
  const connector = await createFakeConnector({
    lifetimeSec: 60,
    now: t.clock.wallNow,
    track: t.track,
  })
  const debug = devtoolsPlatform(t.platform)
  const session = createSession({ connector, platform: debug.platform })
  const events: SessionEvent[] = []
  session.inspect((e) => events.push(e))
  await session.getToken()
  return { t, connector, debug, session, events }
}

describe('devtoolsPlatform', () => {
  it('expireNow: the token is dead at once, the session refreshes as after a sleep, and the next token has its whole life', async () => {
    const { t, connector, debug, session, events } = await setup()
    await t.clock.advance(10_000)
    const before = session.getSnapshot().expiresAt!
    expect(before - t.clock.wallNow()).toBeGreaterThan(40_000)

    const seen = events.length
    debug.expireNow(session)
    expect(debug.clockOffsetMs).toBeGreaterThan(40_000)
    expect(session.peek()).toBeUndefined()
    await t.flush()

    expect(connector.calls.at(-1)?.reason).toBe('wake')
    expect(events.slice(seen).map((e) => e.type)).toEqual(['host', 'fetch', 'credentials'])
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
    const { debug, session } = await setup()
    let changes = 0
    const stop = debug.subscribe(() => changes++)
    debug.setOffline(true)
    debug.setOffline(true)
    debug.setOffline(false)
    debug.expireNow(session)
    stop()
    debug.setOffline(true)
    expect(changes).toBe(3)
  })
})
