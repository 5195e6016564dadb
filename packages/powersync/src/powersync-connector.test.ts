import { createSession, decodeJwt, isKeywayError } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import type { PowerSyncBackendConnector } from '@powersync/common'
import { describe, expect, it, vi } from 'vitest'
import { powerSyncConnector } from './powersync-connector.js'

// @powersync/common 2.x ships the connector contract only; its sync client (which calls
// fetchCredentials on connect, again after a 401 or an expiring token, and uploadData after
// local writes) lives in the platform SDKs and needs a database. These tests play that
// client's part against the contract: they call fetchCredentials as it would.

const ENDPOINT = 'https://demo.powersync.test'

async function setup(options: { lifetimeSec?: number; user?: string | null; down?: boolean } = {}) {
  const t = createTestPlatform()
  const connector = await createFakeConnector({
    lifetimeSec: options.lifetimeSec ?? 300,
    now: t.clock.wallNow,
    track: t.track,
    user: options.user,
  })
  if (options.down) connector.failAlways(new Error('503 Service Unavailable'))
  const session = createSession({ connector, platform: t.platform })
  const uploads: unknown[] = []
  const ps = powerSyncConnector(session, {
    endpoint: `${ENDPOINT}/`,
    uploadData: async (database) => {
      uploads.push(database)
    },
  })
  return { t, connector, session, ps, uploads }
}

describe('powerSyncConnector (contract level: no PowerSync sync client runs in Node without a database)', () => {
  it('answers endpoint (trailing slash removed), the session token and expiresAt as a Date', async () => {
    const { t, connector, session, ps } = await setup({ lifetimeSec: 300 })
    const credentials = await ps.fetchCredentials()
    expect(credentials).not.toBeNull()
    expect(credentials!.endpoint).toBe(ENDPOINT)
    expect(credentials!.token).toBe(connector.minted[0])
    expect(credentials!.expiresAt).toBeInstanceOf(Date)
    // The session's local-clock expiry of this very token …
    expect(credentials!.expiresAt!.getTime()).toBe(session.getSnapshot().expiresAt)
    // … which is the JWT's exp to within the second of resolution that keyway gives up.
    const exp = decodeJwt(credentials!.token).payload.exp! * 1000
    expect(exp - credentials!.expiresAt!.getTime()).toBeGreaterThanOrEqual(0)
    expect(exp - credentials!.expiresAt!.getTime()).toBeLessThanOrEqual(2_000)
    expect(credentials!.expiresAt!.getTime() - t.clock.wallNow()).toBeGreaterThan(298_000)
    session.dispose()
  })

  it('a second call after the service rejected the token: a new token, one forced refresh', async () => {
    const { connector, session, ps } = await setup()
    const first = await ps.fetchCredentials()
    expect(connector.callCount).toBe(1)
    // PowerSync got a 401 for `first` and asks again.
    const second = await ps.fetchCredentials()
    expect(second!.token).not.toBe(first!.token)
    expect(second!.token).toBe(connector.minted[1])
    expect(connector.callCount).toBe(2)
    expect(connector.calls[1]).toMatchObject({ forceRefresh: true, reason: 'rejected' })
    expect(session.getSnapshot().counters.rejections).toBe(1)
    expect(second!.expiresAt!.getTime()).toBe(session.getSnapshot().expiresAt)
    session.dispose()
  })

  it('a token the session already refreshed is handed over without a rejection or a new call', async () => {
    const { t, connector, session, ps } = await setup({ lifetimeSec: 60 })
    const first = await ps.fetchCredentials()
    // The session refreshes ahead of expiry on its own (about 15 s before for 60 s tokens).
    await t.clock.advance(50_000)
    expect(connector.callCount).toBe(2)
    const next = await ps.fetchCredentials()
    expect(next!.token).not.toBe(first!.token)
    expect(next!.token).toBe(connector.minted[1])
    expect(connector.callCount).toBe(2)
    expect(session.getSnapshot().counters.rejections).toBe(0)
    session.dispose()
  })

  it('concurrent calls share one answer: 50 initial calls → 1 connector call; 50 after a rejection → 1 forced refresh', async () => {
    const { connector, session, ps } = await setup()
    const initial = await Promise.all(Array.from({ length: 50 }, () => ps.fetchCredentials()))
    expect(new Set(initial.map((c) => c!.token)).size).toBe(1)
    expect(connector.callCount).toBe(1)
    const again = await Promise.all(Array.from({ length: 50 }, () => ps.fetchCredentials()))
    expect(new Set(again.map((c) => c!.token))).toEqual(new Set([connector.minted[1]]))
    expect(connector.callCount).toBe(2)
    // One rejection reported, not 50 (which would have put the session in error).
    expect(session.getSnapshot().counters.rejections).toBe(1)
    expect(session.getSnapshot().status).toBe('authenticated')
    session.dispose()
  })

  it('signed out → null (PowerSync treats it as "not signed in")', async () => {
    const { session, ps } = await setup({ user: null })
    expect(await ps.fetchCredentials()).toBeNull()
    session.dispose()
  })

  it('sign-out after a token was handed out → null, and the next sign-in is not taken for a rejection', async () => {
    const { connector, session, ps } = await setup()
    await ps.fetchCredentials()
    await session.signOut()
    expect(await ps.fetchCredentials()).toBeNull()
    connector.setUser('user_2')
    const next = await ps.fetchCredentials()
    expect(decodeJwt(next!.token).payload.sub).toBe('user_2')
    expect(session.getSnapshot().counters.rejections).toBe(0)
    session.dispose()
  })

  it('a transient provider outage: PowerSync gets the still-valid cached token, not an error', async () => {
    const { t, connector, session, ps } = await setup({ lifetimeSec: 300 })
    const first = await ps.fetchCredentials()
    connector.failAlways(new Error('503 Service Unavailable'))
    // The session's proactive refresh (about 75 s before expiry) fails and backs off.
    await t.clock.advance(240_000)
    expect(session.getSnapshot().lastError?.code).toBe('ERR_PROVIDER')
    // PowerSync reconnects (a network blip) and asks again: the forced refresh fails too,
    // and the token that is still valid comes back instead of a throw.
    const again = await ps.fetchCredentials()
    expect(again!.token).toBe(first!.token)
    expect(again!.expiresAt!.getTime()).toBeGreaterThan(t.clock.wallNow())
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(session.getSnapshot().counters.rejections).toBe(1)
    // Once the provider is back, PowerSync's retries (every 5 s) get a fresh token within the
    // call budget. The replacement that failed is retried as such, not counted as a second
    // rejection (which would mean "refused for good" and put the session in error).
    connector.failAlways(null)
    let fresh = again
    for (let i = 0; i < 12 && fresh!.token === first!.token; i++) {
      await t.clock.advance(5_000)
      fresh = await ps.fetchCredentials()
    }
    expect(fresh!.token).not.toBe(first!.token)
    expect(fresh!.token).toBe(connector.minted[1])
    expect(session.getSnapshot().counters.rejections).toBe(1)
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(fresh!.expiresAt!.getTime() - t.clock.wallNow()).toBeGreaterThan(290_000)
    session.dispose()
  })

  it('no valid token and the provider down: throws a KeywayError (PowerSync retries later)', async () => {
    const { connector, session, ps } = await setup({ down: true })
    const error = await ps.fetchCredentials().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect(connector.callCount).toBe(1)
    session.dispose()
  })

  it('uses the endpoint from the credentials when no endpoint option is given; ERR_CONFIG when neither exists', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
    const token = await connector.minter.mint({ sub: 'user_1' })
    connector.answerNext({ token, endpoint: 'https://from-backend.powersync.test//' })
    const session = createSession({ connector, platform: t.platform })
    const ps = powerSyncConnector(session, { uploadData: async () => {} })
    expect((await ps.fetchCredentials())!.endpoint).toBe('https://from-backend.powersync.test')
    session.dispose()

    const plain = createSession({ connector, platform: t.platform })
    const bare = powerSyncConnector(plain, { uploadData: async () => {} })
    const error = await bare.fetchCredentials().catch((e: unknown) => e)
    expect(isKeywayError(error, 'ERR_CONFIG')).toBe(true)
    plain.dispose()
    expect(() =>
      powerSyncConnector(plain, { endpoint: 'not a url', uploadData: async () => {} }),
    ).toThrow(/not a URL/)
  })

  it('passes uploadData through with the database PowerSync gives it', async () => {
    const { session, ps, uploads } = await setup()
    const database = {} as Parameters<PowerSyncBackendConnector['uploadData']>[0]
    await ps.uploadData(database)
    expect(uploads).toEqual([database])
    expect(uploads[0]).toBe(database)
    session.dispose()
  })

  it('an SDK that calls invalidateCredentials after a 401: its ask (after its retry delay) gets a new token, a re-ask without invalidating keeps it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const { connector, session, ps } = await setup()
      const invalidate = (ps as unknown as { invalidateCredentials(): void }).invalidateCredentials
      const first = await ps.fetchCredentials()
      // A 401: PowerSync invalidates, fails the stream and asks again after retryDelayMs.
      invalidate()
      vi.advanceTimersByTime(300)
      const second = await ps.fetchCredentials()
      expect(second!.token).not.toBe(first!.token)
      // It then asks again without invalidating (it does not keep that answer).
      const again = await ps.fetchCredentials()
      expect(again!.token).toBe(second!.token)
      expect(connector.callCount).toBe(2)
      expect(session.getSnapshot().counters.rejections).toBe(1)
      session.dispose()
    } finally {
      vi.useRealTimers()
    }
  })

  it("PowerSync's prefetch for a token the session keeps (10 s tokens: due from their first second) waits for the session's own refresh: no rejection, one call per token", async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { t, connector, session, ps } = await setup({ lifetimeSec: 10 })
    const invalidate = (ps as unknown as { invalidateCredentials(): void }).invalidateCredentials
    const first = await ps.fetchCredentials()
    // The stream's first `token_expires_in` (≤ 30 s): invalidate and ask in the same moment.
    invalidate()
    let prefetched: Awaited<ReturnType<typeof ps.fetchCredentials>> | undefined
    void ps.fetchCredentials().then((c) => {
      prefetched = c
    })
    await t.clock.advance(2_000)
    expect(prefetched).toBeUndefined()
    // Each keepalive prefetches again: it joins the waiting answer.
    invalidate()
    const joined = ps.fetchCredentials()
    // An ask that needs a token now (a new connection, later) is not held up by the prefetch.
    vi.advanceTimersByTime(300)
    expect((await ps.fetchCredentials())!.token).toBe(first!.token)
    // The prefetch asked for 5 s of life (half these tokens' lifetime): the session's refresh
    // comes when 5 s are left, by its careful reading of the clock (iat is whole seconds)
    // 4 s after issue. The next token's comes as early, at 8 s: the checks below come before.
    await t.clock.advance(3_000)
    expect(prefetched!.token).not.toBe(first!.token)
    expect((await joined)!.token).toBe(prefetched!.token)
    // PowerSync reconnects with the new token and asks once more: same token, no rejection.
    expect((await ps.fetchCredentials())!.token).toBe(prefetched!.token)
    expect(connector.callCount).toBe(2)
    expect(connector.calls.map((c) => c.reason)).toEqual(['initial', 'proactive'])
    expect(session.getSnapshot().counters.rejections).toBe(0)
    session.dispose()
    vi.useRealTimers()
  })

  it('a prefetch waiting for the next token settles with ERR_DISPOSED when the session is disposed (the app tore down mid-wait)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const { t, session, ps } = await setup({ lifetimeSec: 10 })
      const invalidate = (ps as unknown as { invalidateCredentials(): void }).invalidateCredentials
      await ps.fetchCredentials()
      invalidate()
      let outcome = 'waiting'
      const settled = ps.fetchCredentials().then(
        () => (outcome = 'resolved'),
        (error: unknown) => (outcome = isKeywayError(error) ? error.code : 'not a KeywayError'),
      )
      await t.clock.advance(2_000)
      expect(outcome).toBe('waiting')
      session.dispose()
      expect(await settled).toBe('ERR_DISPOSED')
    } finally {
      vi.useRealTimers()
    }
  })
})
