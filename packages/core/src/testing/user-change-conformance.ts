import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connector } from '../contract.js'
import { decodeJwt } from '../jwt.js'
import type { Platform } from '../platform.js'
import { createSession } from '../session/create-session.js'
import type { Session } from '../session/types.js'
import type { ConformanceControls, ConformanceSubject } from './conformance.js'
import { createMemoryCrossTab, createMemoryStorage } from './memory-tabs.js'
import { createTestPlatform } from './test-platform.js'

/** Connectors that count their calls and record what they tell the session, in one place. */
function observed(connector: Connector) {
  const seen = {
    calls: 0,
    events: [] as Array<string | null | undefined>,
    subscribed: connector.subscribe !== undefined,
  }
  const wrap = (connector: Connector): Connector => ({
    id: connector.id,
    fetchCredentials(o) {
      seen.calls++
      return connector.fetchCredentials(o)
    },
    ...(connector.subscribe && {
      subscribe: (onChange) =>
        connector.subscribe!((...args) => {
          seen.events.push(args[0])
          onChange(...args)
        }),
    }),
  })
  return { connector: wrap(connector), wrap, seen }
}

const realTurn = () => new Promise((r) => setTimeout(r, 10))

/**
 * Gives the provider SDK time to deliver what it reports on its own (a first event, a poll's
 * answer): until `events` grew past `from`, then 50 ms more for a second one, at most
 * 350 ms of real time. SDKs deliver asynchronously, so only the wall clock can tell.
 */
async function providerSettles(
  seen: { events: unknown[]; subscribed: boolean },
  from: number,
): Promise<void> {
  if (!seen.subscribed) return
  for (let i = 0; i < 30 && seen.events.length <= from; i++) await realTurn()
  for (let i = 0; i < 5; i++) await realTurn()
}

/**
 * The user-change rule as a session meets it over a real provider: the provider's routine
 * events (its first report, another tab's subscription, a poll that failed) are no change,
 * and cost no connector call. Run by `runConnectorConformance`.
 */
export function describeUserChangeRule(subject: ConformanceSubject): void {
  describe(`the user-change rule on a Session: ${subject.name}`, () => {
    let connector: Connector
    let controls: ConformanceControls
    let another: (() => Connector) | undefined
    const sessions: Session[] = []

    beforeEach(async () => {
      ;({ connector, controls, another } = await subject.setup())
    })
    afterEach(async () => {
      for (const s of sessions.splice(0)) s.dispose()
      await controls?.outage(false)
      await subject.teardown?.()
    })

    const start = (c: Connector, platform: Platform) => {
      const session = createSession({ connector: c, platform })
      sessions.push(session)
      return session
    }

    it("the provider's first event is no change: one connector call for a signed-in start", async () => {
      await controls.signIn('alice')
      const { connector: c, seen } = observed(connector)
      const session = start(c, createTestPlatform({ startWall: Date.now() }).platform)
      const token = await session.getToken()
      await providerSettles(seen, 0)
      // The provider checks its session on its own too (on mount, focus, a timer): same user.
      await controls.poll?.()
      await providerSettles(seen, seen.events.length)
      const sub = decodeJwt(token).payload.sub
      // A connector passes the provider's user (or nothing, meaning unknown): never another one.
      for (const user of seen.events) if (user !== undefined) expect(user).toBe(sub)
      expect(seen.calls).toBe(1)
      expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', userId: sub })
      expect(await session.getToken()).toBe(token)
    })

    it('a second session (another tab, a reload) over the signed-in provider makes no call while the shared token is valid', async () => {
      await controls.signIn('alice')
      const { connector: c, wrap, seen } = observed(connector)
      const t = createTestPlatform({ startWall: Date.now() })
      const storage = createMemoryStorage()
      const hub = createMemoryCrossTab()
      const first = start(c, { ...t.platform, storage, crossTab: hub.tab() })
      const token = await first.getToken()
      await providerSettles(seen, 0)
      const before = seen.events.length
      const again = another ? wrap(another()) : c
      const second = start(again, { ...t.platform, storage, crossTab: hub.tab() })
      expect(await second.getToken()).toBe(token)
      await providerSettles(seen, before)
      expect(seen.calls).toBe(1)
      expect(second.getSnapshot().userId).toBe(first.getSnapshot().userId)
      expect(await first.getToken()).toBe(token)
    })

    it('a failed provider poll is no sign-out: same token, same user, no call', async () => {
      await controls.signIn('alice')
      const { connector: c, seen } = observed(connector)
      const session = start(c, createTestPlatform({ startWall: Date.now() }).platform)
      const token = await session.getToken()
      await providerSettles(seen, 0)
      const before = seen.events.length
      await controls.outage(true)
      // An SDK may retry inside its poll for long (supabase-js: up to 30 s): 2 s are enough
      // for its first failure to arrive.
      await Promise.race([controls.poll?.(), new Promise((r) => setTimeout(r, 2_000))])
      await providerSettles(seen, before)
      // Nothing the provider said while it could not be reached may read as "nobody".
      expect(seen.events.slice(before)).not.toContain(null)
      expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', lastError: null })
      expect(await session.getToken()).toBe(token)
      expect(seen.calls).toBe(1)
    })
  })
}
