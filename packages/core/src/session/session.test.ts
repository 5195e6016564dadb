import { describe, expect, it } from 'vitest'
import { isKeywayError, KeywayError } from '../errors.js'
import { decodeJwt } from '../jwt.js'
import type { Platform } from '../platform.js'
import {
  createFakeConnector,
  createMemoryCrossTab,
  createMemoryStorage,
  createTestPlatform,
  type FakeConnector,
  type TestPlatformOptions,
} from '../testing/index.js'
import { createSession } from './create-session.js'
import type { SessionEvent, SessionOptions } from './types.js'

async function setup(
  options: {
    lifetimeSec?: number
    user?: string | null
    /** Scripts the connector before the session makes its first call. */
    prepare?: (connector: FakeConnector) => void | Promise<void>
    platform?: Partial<Platform>
  } & TestPlatformOptions &
    Partial<Omit<SessionOptions, 'connector' | 'platform'>> = {},
) {
  const {
    lifetimeSec = 60,
    user,
    prepare,
    wallOffsetMs,
    startWall,
    online,
    random,
    platform: p,
    ...rest
  } = options
  const t = createTestPlatform({ wallOffsetMs, startWall, online, random })
  // The provider's clock is true time: the local wall clock may be off by wallOffsetMs.
  const providerNow = () => t.clock.wallNow() - (wallOffsetMs ?? 0)
  const connector = await createFakeConnector({
    lifetimeSec,
    now: providerNow,
    user,
    track: t.track,
  })
  await prepare?.(connector)
  const session = createSession({ connector, platform: { ...t.platform, ...p }, ...rest })
  return { t, connector, session, providerNow }
}

/** Connector call times (seconds since start) over a run. */
async function callTimesOver(seconds: number, wallOffsetMs: number) {
  const { t, connector, session } = await setup({ lifetimeSec: 60, wallOffsetMs })
  const start = t.clock.now()
  const times: number[] = []
  const original = connector.fetchCredentials.bind(connector)
  connector.fetchCredentials = (o) => {
    times.push(Math.round((t.clock.now() - start) / 1000))
    return original(o)
  }
  await session.getToken()
  await t.clock.advance(seconds * 1000)
  session.dispose()
  return times
}

describe('Session: expiry, lead and jitter', () => {
  it('refreshes a 60 s token between 15 s and 21 s before it expires', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60 })
    await session.getToken()
    await t.clock.advance(38_999)
    expect(connector.callCount).toBe(1)
    await t.clock.advance(6_001) // 45 s after issue = 15 s before expiry
    expect(connector.callCount).toBe(2)
    expect(connector.calls[1]).toMatchObject({ reason: 'proactive', forceRefresh: true })
    session.dispose()
  })

  it('refreshes a 1 h token between 5 min and 11 min before it expires', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    await session.getToken()
    await t.clock.advance(49 * 60_000 - 1)
    expect(connector.callCount).toBe(1)
    await t.clock.advance(6 * 60_000 + 1)
    expect(connector.callCount).toBe(2)
    session.dispose()
  })

  it('a local clock 10 min behind changes nothing; 10 min ahead costs one forced call at start', async () => {
    const exact = await callTimesOver(600, 0)
    expect(await callTimesOver(600, -10 * 60_000)).toEqual(exact)
    // Until a token minted for a call bounds the issuer's clock, the local wall clock stands
    // in for it: a clock ahead makes the first token look expired, and one forced call later
    // the schedule is the exact one.
    const ahead = await callTimesOver(600, 10 * 60_000)
    expect(ahead.slice(0, 2)).toEqual([0, 0])
    expect(ahead.length).toBe(exact.length + 1)
    // Then one refresh per 39–45 s (the 60 s token's lead and jitter), as with the exact clock.
    for (let i = 2; i < ahead.length; i++)
      expect(ahead[i]! - ahead[i - 1]!).toSatisfy((gap: number) => gap >= 39 && gap <= 45)
    expect(exact.length).toBeGreaterThanOrEqual(12) // ~one refresh per 40–45 s
  })

  it('a cached first token is as old as its iat says: a 40 min old 1 h token has 20 min left', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({
      lifetimeSec: 3600,
      now: t.clock.wallNow,
      track: t.track,
    })
    const first = createSession({ connector, platform: t.platform })
    const token = await first.getToken()
    first.dispose()
    await t.clock.advance(40 * 60_000)
    // Another session over the same provider SDK: the unforced first call gets its cache.
    const second = createSession({ connector, platform: t.platform })
    expect(await second.getToken()).toBe(token)
    const left = second.getSnapshot().expiresAt! - t.clock.wallNow()
    expect(left).toBeLessThanOrEqual(20 * 60_000)
    expect(left).toBeGreaterThan(19 * 60_000)
    second.dispose()
  })

  it('a provider that hands back its cached token on a forced refresh does not move the expiry', async () => {
    const t = createTestPlatform()
    const providerNow = t.clock.wallNow
    // A provider cache that serves its token to the end of its life.
    const connector = await createFakeConnector({
      lifetimeSec: 60,
      now: providerNow,
      cacheMarginSec: 0,
      track: t.track,
    })
    const session = createSession({ connector, platform: t.platform })
    const first = await session.getToken()
    const expMs = decodeJwt(first).payload.exp! * 1000
    connector.ignoreForce(true)
    // The refresh (15–21 s before expiry) and its retries get the same token back.
    await t.clock.advance(50_000)
    expect(connector.callCount).toBeGreaterThan(1)
    // Taken as minted for the forced call, its `iat` would make the issuer's clock 40 s late
    // and the token look 40 s younger: it would be handed out after it expired.
    const expiresAt = session.getSnapshot().expiresAt!
    expect(expiresAt).toBeLessThanOrEqual(expMs)
    connector.ignoreForce(false)
    await t.clock.advance(11_000)
    expect(providerNow()).toBeGreaterThan(expMs)
    const later = await session.getToken()
    expect(decodeJwt(later).payload.exp! * 1000).toBeGreaterThan(providerNow() + 5_000)
    session.dispose()
  })

  it('warns once when the local clock is more than 30 s off the issuer, and never below', async () => {
    const off = await setup({ wallOffsetMs: 10 * 60_000 })
    await off.session.getToken()
    await off.t.clock.advance(300_000)
    expect(
      off.t.logs.filter((l) => l.level === 'warn' && l.message.includes('clock')),
    ).toHaveLength(1)
    const fine = await setup({ wallOffsetMs: 20_000 })
    await fine.session.getToken()
    expect(fine.t.logs.filter((l) => l.message.includes('clock'))).toHaveLength(0)
    off.session.dispose()
    fine.session.dispose()
  })

  it('treats a token without exp (and without expiresAt) as valid until rejected', async () => {
    const { t, connector, session } = await setup({
      prepare: async (c) => c.answerNext({ token: await c.minter.mint({ sub: 'u', noExp: true }) }),
    })
    await session.getToken()
    await t.clock.advance(24 * 3_600_000)
    expect(connector.callCount).toBe(1)
    expect(t.pendingTimers()).toBe(0)
    session.dispose()
  })

  it('uses expiresAt (local epoch ms) when it is sooner than exp', async () => {
    let expiresAt = 0
    const { session } = await setup({
      lifetimeSec: 3600,
      startWall: Date.UTC(2026, 0, 1),
      prepare: async (c) => {
        expiresAt = Date.UTC(2026, 0, 1) + 60_000
        c.answerNext({ token: await c.minter.mint({ sub: 'u', lifetimeSec: 3600 }), expiresAt })
      },
    })
    await session.getToken()
    expect(session.getSnapshot().expiresAt).toBe(expiresAt)
    session.dispose()
  })

  it('never arms a timer for more than 5 min, re-arming instead', async () => {
    const delays: number[] = []
    const t0 = createTestPlatform()
    const platform: Platform = {
      ...t0.platform,
      setTimeout: (cb, ms) => {
        delays.push(ms)
        return t0.platform.setTimeout(cb, ms)
      },
    }
    const connector = await createFakeConnector({
      lifetimeSec: 24 * 3600,
      now: t0.clock.wallNow,
      track: t0.track,
    })
    const session = createSession({ connector, platform })
    await session.getToken()
    await t0.clock.advance(60 * 60_000)
    expect(Math.max(...delays)).toBeLessThanOrEqual(300_000)
    expect(delays.filter((d) => d === 300_000).length).toBeGreaterThanOrEqual(11)
    expect(connector.callCount).toBe(1)
    session.dispose()
  })
})

describe('Session: single flight and nearly dead tokens', () => {
  it('1000 concurrent getToken() calls at expiry make exactly 1 connector call', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60 })
    await session.getToken()
    session.dispose()
    // A second session on the same provider, handed the token at the moment it dies.
    const s2 = createSession({ connector, platform: t.platform })
    const release = connector.hold()
    const tokens = Promise.all(Array.from({ length: 1000 }, () => s2.getToken()))
    await t.flush()
    release()
    const all = await tokens
    expect(connector.callCount).toBe(2) // one for each session
    expect(new Set(all).size).toBe(1)
    s2.dispose()
  })

  it('1000 callers while a proactive refresh is due wait for the one fetch', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60 })
    await session.getToken()
    await t.clock.advance(57_000) // 3 s left: below the 5 s floor, so callers must wait
    expect(connector.callCount).toBe(2) // the proactive refresh already ran
    await t.clock.sleep(0)
    const before = connector.callCount
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => session.getToken()))
    expect(connector.callCount).toBe(before)
    expect(new Set(tokens).size).toBe(1)
    session.dispose()
  })

  it('does not hand out a token with less than 5 s left: getToken waits for the refresh', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60 })
    const first = await session.getToken()
    const release = connector.hold() // the proactive refresh (due 39–45 s) hangs…
    await t.clock.advance(56_000) // …so at 4 s left the old token is all the session has
    let answered: string | undefined
    const pending = session.getToken().then((tk) => {
      answered = tk
    })
    await t.flush()
    expect(answered).toBeUndefined()
    release()
    await pending
    expect(answered).not.toBe(first)
    expect(decodeJwt(answered!).payload.iat! * 1000).toBeGreaterThanOrEqual(
      t.clock.wallNow() - 1_000,
    )
    session.dispose()
  })
})

describe('Session: rejection', () => {
  it('force-refetches with reason rejected and resolves with the new credentials', async () => {
    const { connector, session } = await setup()
    const first = await session.getToken()
    const next = await session.reportRejected(first)
    expect(next?.token).not.toBe(first)
    expect(connector.calls.at(-1)).toMatchObject({ reason: 'rejected', forceRefresh: true })
    expect(await session.getToken()).toBe(next?.token)
    session.dispose()
  })

  it('a rejection of an old token is a no-op', async () => {
    const { connector, session } = await setup()
    const old = await session.getToken()
    const current = (await session.reportRejected(old))!.token
    const calls = connector.callCount
    const again = await session.reportRejected(old)
    expect(again?.token).toBe(current)
    expect(connector.callCount).toBe(calls)
    session.dispose()
  })

  it('keeps the same token once when the provider insists; a second rejection → error, then recovers', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    const token = await session.getToken()
    connector.ignoreForce(true)
    const retry = await session.reportRejected(token)
    expect(retry?.token).toBe(token) // first rejection: same token kept for one retry
    await expect(session.reportRejected(token)).rejects.toSatisfy((e) =>
      isKeywayError(e, 'ERR_REJECTED'),
    )
    expect(session.getSnapshot().status).toBe('error')
    expect(session.getSnapshot().lastError?.code).toBe('ERR_REJECTED')
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_REJECTED'))
    connector.ignoreForce(false)
    await t.clock.advance(60_000) // the backoff retry fetches a new token
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).not.toBe(token)
    session.dispose()
  })

  it('a backend that rejects every new token (a wrong audience) costs 3 connector calls, then ERR_REJECTED and backoff', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    await session.getToken()
    const start = connector.callCount
    const outcomes: string[] = []
    for (let i = 0; i < 4; i++) {
      const token = await session.getToken()
      const outcome = await session.reportRejected(token).then(
        () => 'new token',
        (e) => e.code,
      )
      outcomes.push(outcome)
      await t.clock.advance(10)
    }
    expect(outcomes).toEqual(['new token', 'new token', 'new token', 'ERR_REJECTED'])
    expect(connector.callCount - start).toBe(3)
    expect(session.getSnapshot().lastError?.code).toBe('ERR_REJECTED')
    expect(session.getSnapshot().status).toBe('error')
    // A caller asking now does not cut the backoff short: it would only fetch a token to refuse.
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_REJECTED'))
    expect(connector.callCount - start).toBe(3)
    session.dispose()
  })

  it('a backend that rejects every token costs at most 6 connector calls a minute', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    const start = connector.callCount
    for (let i = 0; i < 100; i++) {
      const token = await session.getToken().catch(() => undefined)
      if (token) await session.reportRejected(token).catch(() => undefined)
      await t.clock.advance(600)
    }
    expect(connector.callCount - start).toBeLessThanOrEqual(6 + 1)
    expect(session.getSnapshot().status).not.toBe('signedOut')
    session.dispose()
  })
})

describe('Session: transient failures, backoff and the call budget', () => {
  it('persistent 5xx for 10 minutes costs at most 60 connector calls and keeps serving the valid token', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    const token = await session.getToken()
    await t.clock.advance(50 * 60_000) // near the proactive refresh
    connector.failAlways(new KeywayError('ERR_PROVIDER', '503 Service Unavailable'))
    const before = connector.callCount
    const statuses = new Set<string>()
    session.subscribe(() => statuses.add(session.getSnapshot().status))
    for (let i = 0; i < 60; i++) {
      await t.clock.advance(10_000)
      if (i < 40) expect(await session.getToken()).toBe(token)
    }
    expect(connector.callCount - before).toBeLessThanOrEqual(60)
    expect(connector.callCount - before).toBeGreaterThanOrEqual(10)
    expect(statuses.has('signedOut')).toBe(false)
    connector.failAlways(null)
    await t.clock.advance(61_000) // healthy again within one backoff cap
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).not.toBe(token)
    session.dispose()
  })

  it('a transient failure never signs anyone out, with or without a token', async () => {
    const { t, connector, session } = await setup({
      user: 'u1',
      prepare: (c) => c.failAlways(new TypeError('fetch failed')),
    })
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_NETWORK'))
    expect(session.getSnapshot().status).toBe('error')
    expect(session.getSnapshot().lastError?.transient).toBe(true)
    await t.clock.advance(5 * 60_000)
    expect(session.getSnapshot().status).not.toBe('signedOut')
    connector.failAlways(null)
    await t.clock.advance(61_000)
    expect(session.getSnapshot().status).toBe('authenticated')
    session.dispose()
  })

  it('null always signs out', async () => {
    const { connector, session } = await setup()
    await session.getToken()
    connector.setUser(null)
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_SIGNED_OUT'))
    expect(session.getSnapshot()).toMatchObject({ status: 'signedOut', userId: null })
    expect(await session.getCredentials()).toBeNull()
    session.dispose()
  })

  it("honours the provider's Retry-After", async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    await session.getToken()
    connector.failNext(new KeywayError('ERR_PROVIDER', '429', { retryAfterMs: 120_000 }))
    await session.refresh().catch(() => undefined)
    const after429 = connector.callCount
    await t.clock.advance(119_000)
    expect(connector.callCount).toBe(after429)
    await t.clock.advance(2_000)
    expect(connector.callCount).toBe(after429 + 1)
    session.dispose()
  })

  it('a final error stops serving the token without a retry loop', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60 })
    await session.getToken()
    connector.failAlways(
      new KeywayError('ERR_REVOKED', 'refresh token revoked', { transient: false }),
    )
    await t.clock.advance(50_000)
    expect(session.getSnapshot().status).toBe('error')
    const calls = connector.callCount
    await t.clock.advance(30 * 60_000)
    expect(connector.callCount).toBe(calls)
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_REVOKED'))
    expect(t.pendingTimers()).toBe(0)
    session.dispose()
  })

  it('aborts a connector call after 15 s and counts it as transient', async () => {
    const { t, connector, session } = await setup({
      lifetimeSec: 3600,
      prepare: (c) => c.neverSettle(true),
    })
    const pending = session.getToken().catch((e) => e)
    await t.clock.advance(15_000)
    const error = await pending
    expect(isKeywayError(error, 'ERR_TIMEOUT')).toBe(true)
    expect(connector.calls[0]!.signal.aborted).toBe(true)
    expect(session.getSnapshot().status).toBe('error')
    connector.neverSettle(false)
    await t.clock.advance(60_000)
    expect(session.getSnapshot().status).toBe('authenticated')
    session.dispose()
  })

  it('survives a connector that throws a non-Error value', async () => {
    const { t, session } = await setup({ prepare: (c) => c.failNext('a string, not an Error') })
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_PROVIDER'))
    await t.clock.advance(2_000)
    expect(session.getSnapshot().status).toBe('authenticated')
    session.dispose()
  })

  it('rejects a token that is not a JWT as final ERR_MALFORMED_TOKEN, never crashing', async () => {
    const { session } = await setup({
      prepare: (c) => c.answerNext({ token: 'opaque-access-token' }),
    })
    await expect(session.getToken()).rejects.toSatisfy((e) =>
      isKeywayError(e, 'ERR_MALFORMED_TOKEN'),
    )
    expect(session.getSnapshot().status).toBe('error')
    session.dispose()
  })
})

describe('Session: offline, wake and sleep', () => {
  it('makes no call while offline and checks at once when back online', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60 })
    await session.getToken()
    await t.setOnline(false)
    await t.clock.advance(10 * 60_000)
    expect(connector.callCount).toBe(1)
    // Still signed in (docs/concepts.md, States), and the expiry says the token is gone.
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(session.getSnapshot().expiresAt!).toBeLessThan(t.clock.wallNow())
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_OFFLINE'))
    await t.setOnline(true)
    expect(connector.callCount).toBe(2)
    expect(connector.calls[1]!.reason).toBe('wake')
    session.dispose()
  })

  it('a two-hour sleep with the monotonic clock stopped: getToken refuses the dead token by the wall clock', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    const first = await session.getToken()
    await t.clock.advance(10 * 60_000)
    await t.clock.sleep(2 * 3_600_000) // wall clock jumps, performance.now() stood still
    // Before any timer fires, getToken already refuses the dead token by the wall clock.
    const next = await session.getToken()
    expect(next).not.toBe(first)
    expect(decodeJwt(next).payload.exp! * 1000).toBeGreaterThan(t.clock.wallNow())
    expect(connector.callCount).toBe(2)
    session.dispose()
  })

  it('a timer firing more than 2× late counts as a wake and fetches at once', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    await session.getToken()
    await t.clock.sleep(2 * 3_600_000, { monotonic: true })
    expect(connector.callCount).toBe(2)
    expect(connector.calls[1]!.reason).toBe('wake')
    expect(t.logs.some((l) => l.message.includes('late'))).toBe(true)
    session.dispose()
  })

  it('a wake signal (visibility, focus, AppState) re-checks expiry at once', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    await session.getToken()
    await t.clock.advance(60_000) // a minute of use: past the minimum gap between two calls
    t.clock.jumpWall(58 * 60_000) // the wall clock moved while timers were frozen
    await t.emit('wake')
    expect(connector.callCount).toBe(2)
    expect(connector.calls[1]!.reason).toBe('wake')
    session.dispose()
  })

  it('arms no refresh timer between background and wake, even when a fetch ends meanwhile', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 3600 })
    await session.getToken()
    expect(t.pendingTimers()).toBe(1)
    await t.emit('background')
    expect(t.pendingTimers()).toBe(0)
    await session.refresh() // a fetch that ends in the background would re-arm a timer
    expect(connector.callCount).toBe(2)
    expect(t.pendingTimers()).toBe(0)
    await t.clock.advance(2 * 3_600_000)
    expect(connector.callCount).toBe(2)
    await t.emit('wake')
    expect(connector.callCount).toBe(3)
    expect(connector.calls[2]!.reason).toBe('wake')
    expect(t.pendingTimers()).toBe(1)
    session.dispose()
  })
})

describe('Session: provider changes, sign-out and state', () => {
  it('on a user switch the old token is never returned again', async () => {
    const { connector, session } = await setup({ user: 'alice' })
    const alice = await session.getToken()
    connector.setUser('bob')
    const seen = await Promise.all(Array.from({ length: 10 }, () => session.getToken()))
    expect(seen.every((tk) => tk !== alice)).toBe(true)
    expect(session.getSnapshot().userId).toBe('bob')
    expect(connector.calls.at(-1)!.reason).toBe('changed')
    session.dispose()
  })

  it('signOut forgets the token and calls the provider', async () => {
    const { connector, session } = await setup()
    await session.getToken()
    await session.signOut()
    expect(session.getSnapshot().status).toBe('signedOut')
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_SIGNED_OUT'))
    expect(
      await connector.fetchCredentials({
        forceRefresh: false,
        reason: 'initial',
        signal: new AbortController().signal,
      }),
    ).toBeNull()
  })

  it('keeps the snapshot object stable between changes, and reports counters', async () => {
    const { connector, session } = await setup()
    await session.getToken()
    const a = session.getSnapshot()
    expect(session.getSnapshot()).toBe(a)
    await session.reportRejected(await session.getToken())
    const b = session.getSnapshot()
    expect(b).not.toBe(a)
    expect(b.counters).toEqual({ fetches: connector.callCount, failures: 0, rejections: 1 })
    expect(Object.isFrozen(b)).toBe(true)
    session.dispose()
  })

  it('warns of a refresh storm when the provider flaps more than 6 times a minute', async () => {
    const { t, connector, session } = await setup()
    await session.getToken()
    for (let i = 0; i < 8; i++) {
      connector.setUser(i % 2 ? 'alice' : 'bob')
      await t.clock.advance(1_000)
    }
    expect(t.logs.filter((l) => l.message.includes('refresh storm'))).toHaveLength(1)
    session.dispose()
  })

  it('healthy refreshes of very short tokens are not held back by the call budget, but warn', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 8 })
    await session.getToken()
    await t.clock.advance(60_000)
    expect(connector.callCount).toBeGreaterThan(10) // one every ~4 s: the tokens demand it
    expect(t.logs.filter((l) => l.message.includes('refresh storm'))).toHaveLength(1)
    expect(session.getSnapshot().status).toBe('authenticated')
    session.dispose()
  })

  it('dispose leaves zero timers and zero listeners', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60 })
    await session.getToken()
    connector.failNext(new TypeError('fetch failed'), 3)
    await t.clock.advance(50_000)
    expect(t.pendingTimers()).toBeGreaterThan(0)
    session.dispose()
    expect(t.pendingTimers()).toBe(0)
    expect(t.listenerCount()).toBe(0)
    expect(connector.listenerCount).toBe(0)
    await expect(session.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_DISPOSED'))
    const calls = connector.callCount
    await t.clock.advance(10 * 60_000)
    expect(connector.callCount).toBe(calls)
  })

  it("a 'scheduled' event tells where the refresh is set: the timer fires there, a stricter consumer moves it", async () => {
    const { t, session } = await setup({ lifetimeSec: 60 })
    const points: number[] = []
    const fetches: Array<[number, string]> = []
    session.inspect((event) => {
      if (event.type === 'scheduled') points.push(event.refreshAt)
      if (event.type === 'fetch') fetches.push([event.at, event.reason])
    })
    await session.getToken()
    expect(points).toHaveLength(1)
    const { expiresAt } = session.getSnapshot()
    // 60 s tokens: refreshed 15 s (the lead) to 21 s (plus 10% jitter) before expiry.
    const lead = expiresAt! - points[0]!
    expect(lead).toBeGreaterThanOrEqual(15_000)
    expect(lead).toBeLessThanOrEqual(21_000)
    // Asked again, nothing moved: no event.
    await t.clock.advance(5_000)
    await session.getToken()
    expect(points).toHaveLength(1)
    // A consumer that needs 25 s: the refresh comes when the token reaches that (plus the
    // fetch's own time), earlier than the lead alone would; the timer is armed again for it.
    await session.getToken({ minValidityMs: 25_000 })
    expect(points).toHaveLength(2)
    expect(expiresAt! - points[1]!).toBeGreaterThanOrEqual(25_000)
    expect(points[1]!).toBeLessThan(points[0]!)
    await t.clock.advance(points[1]! - t.clock.wallNow())
    expect(fetches.at(-1)).toEqual([points[1], 'proactive'])
    // The new token has its own point.
    expect(points).toHaveLength(3)
    expect(points[2]!).toBeGreaterThan(points[1]!)
    session.dispose()
  })

  it("an inspector added while a token is held hears its 'scheduled' point at once; none after sign-out", async () => {
    const { session } = await setup({ lifetimeSec: 60 })
    const early: number[] = []
    session.inspect((event) => {
      if (event.type === 'scheduled') early.push(event.refreshAt)
    })
    await session.getToken()
    const late: SessionEvent[] = []
    session.inspect((event) => late.push(event))
    expect(late).toEqual([{ type: 'scheduled', at: expect.any(Number), refreshAt: early[0] }])
    // An inspector that throws is the tool's problem, not the session's.
    expect(() =>
      session.inspect(() => {
        throw new Error('broken tool')
      }),
    ).not.toThrow()
    await session.signOut()
    const afterSignOut: SessionEvent[] = []
    session.inspect((event) => afterSignOut.push(event))
    expect(afterSignOut).toEqual([])
    session.dispose()
  })

  it('an ask older than a token lifetime is forgotten, and a laxer ask made then counts at once', async () => {
    const { t, session } = await setup({ lifetimeSec: 60 })
    const fetches: number[] = []
    session.inspect((event) => {
      if (event.type === 'fetch') fetches.push(event.at)
    })
    await session.getToken({ minValidityMs: 30_000 })
    // More than a lifetime later that ask no longer counts; a consumer that needs 24 s asks once.
    await t.clock.advance(65_000)
    const { expiresAt } = (await session.getCredentials({ minValidityMs: 24_000 }))!
    const before = fetches.length
    await t.clock.advance(60_000)
    // The held token is refreshed while it still has the 24 s that consumer asked for, not at
    // the default lead (15–21 s before expiry for 60 s tokens).
    expect(fetches.length).toBeGreaterThan(before)
    expect(expiresAt! - fetches[before]!).toBeGreaterThanOrEqual(24_000)
    session.dispose()
  })

  it('dispose calls each subscriber once more, then never again: a waiter wakes up to ERR_DISPOSED', async () => {
    const { t, session } = await setup({ lifetimeSec: 60 })
    await session.getToken()
    let calls = 0
    let seen = ''
    session.subscribe(() => {
      calls++
      try {
        session.peek()
      } catch (error) {
        seen = isKeywayError(error) ? error.code : 'not a KeywayError'
      }
    })
    session.dispose()
    expect([calls, seen]).toEqual([1, 'ERR_DISPOSED'])
    await t.clock.advance(10 * 60_000)
    expect(calls).toBe(1)
  })

  it('refresh() and reportRejected() under way at dispose settle with ERR_DISPOSED, not the old token', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60 })
    const token = await session.getToken()
    await t.clock.advance(2_000) // past the minimum gap
    const release = connector.hold()
    const code = (error: unknown) => (isKeywayError(error) ? error.code : 'not a KeywayError')
    const refreshing = session.refresh().then(() => 'resolved', code)
    const rejecting = session.reportRejected(token).then(() => 'resolved', code)
    await t.flush()
    session.dispose()
    release()
    expect([await refreshing, await rejecting]).toEqual(['ERR_DISPOSED', 'ERR_DISPOSED'])
  })

  it('a listener subscribed after dispose is called once, after subscribe returned: a wait for the next change ends', async () => {
    const { t, session } = await setup({ lifetimeSec: 60 })
    await session.getToken()
    session.dispose()
    let calls = 0
    const off = session.subscribe(() => {
      calls++
      off()
    })
    expect(calls).toBe(0)
    await Promise.resolve()
    expect(calls).toBe(1)
    await t.clock.advance(10 * 60_000)
    expect(calls).toBe(1)
  })

  it('dispose during a fetch aborts it and arms nothing afterwards', async () => {
    let release = () => {}
    const { t, session } = await setup({
      prepare: (c) => {
        release = c.hold()
      },
    })
    const pending = session.getToken().catch((e) => e)
    await t.flush()
    session.dispose()
    release()
    expect(isKeywayError(await pending, 'ERR_DISPOSED')).toBe(true)
    await t.flush()
    expect(t.pendingTimers()).toBe(0)
  })

  it('no log line ever contains a token', async () => {
    const { t, connector, session } = await setup({ lifetimeSec: 60, wallOffsetMs: 120_000 })
    const token = await session.getToken()
    await session.reportRejected(token)
    connector.failNext(new TypeError('fetch failed'), 3)
    await t.clock.advance(5 * 60_000)
    connector.setUser('bob')
    await t.clock.advance(60_000)
    await t.clock.sleep(3_600_000, { monotonic: true })
    expect(t.logs.length).toBeGreaterThan(10)
    for (const minted of connector.minted)
      for (const line of t.logs) {
        expect(line.message).not.toContain(minted.slice(0, 30))
        expect(line.message).not.toContain(minted.slice(-20))
      }
    session.dispose()
  })
})

/**
 * Two tabs sharing storage and the lock, each with its own provider SDK instance over the same
 * account; the provider keeps true time (the monotonic clock, unmoved by wall-clock jumps).
 */
async function twoTabs() {
  const t = createTestPlatform()
  const start = t.clock.wallNow() - t.clock.now()
  const now = () => start + t.clock.now()
  const storage = createMemoryStorage()
  const hub = createMemoryCrossTab()
  const a = await createFakeConnector({ lifetimeSec: 60, now, track: t.track })
  const b = await createFakeConnector({ lifetimeSec: 60, now, minter: a.minter, track: t.track })
  const tab = (connector: FakeConnector) =>
    createSession({ connector, platform: { ...t.platform, storage, crossTab: hub.tab() } })
  return { t, a, b, now, storage, tab }
}

describe('Session: storage and tabs', () => {
  it('a reload with a valid persisted token makes zero connector calls', async () => {
    const storage = createMemoryStorage()
    const { t, connector, session } = await setup({ platform: { storage } })
    const token = await session.getToken()
    session.dispose()
    const reloaded = createSession({ connector, platform: { ...t.platform, storage } })
    expect(await reloaded.getToken()).toBe(token)
    expect(connector.callCount).toBe(1)
    expect(reloaded.getSnapshot().status).toBe('authenticated')
    reloaded.dispose()
  })

  it('a reload with a valid but due token serves it at once and refreshes it with one forced call', async () => {
    const storage = createMemoryStorage()
    const { t, connector, session } = await setup({ lifetimeSec: 60, platform: { storage } })
    const token = await session.getToken()
    session.dispose()
    await t.clock.advance(47_000) // 13 s left: inside the 15 s lead, above the 5 s floor
    const reloaded = createSession({ connector, platform: { ...t.platform, storage } })
    expect(await reloaded.getToken()).toBe(token)
    await t.flush()
    expect(connector.callCount).toBe(2)
    expect(connector.calls[1]).toMatchObject({ reason: 'proactive', forceRefresh: true })
    expect(await reloaded.getToken()).not.toBe(token)
    reloaded.dispose()
  })

  it('ignores a corrupt stored value and fetches instead', async () => {
    const storage = createMemoryStorage()
    storage.data.set('keyway:fake', { token: 'not-a-jwt', receivedAtWall: 1 } as never)
    const { connector, session } = await setup({ platform: { storage } })
    await session.getToken()
    expect(connector.callCount).toBe(1)
    session.dispose()
  })

  it('three tabs sharing storage and a lock make one connector call per refresh', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({
      lifetimeSec: 60,
      now: t.clock.wallNow,
      track: t.track,
    })
    const storage = createMemoryStorage()
    const hub = createMemoryCrossTab()
    const tabs = Array.from({ length: 3 }, (_, i) =>
      createSession({
        connector,
        platform: { ...t.platform, storage, crossTab: hub.tab(), random: () => (i + 1) / 4 },
      }),
    )
    await Promise.all(tabs.map((s) => s.getToken()))
    await t.clock.advance(10 * 60_000)
    // ~one call per token lifetime (the refresh lands 15–21 s early), not one per tab.
    expect(connector.callCount).toBeLessThanOrEqual(16)
    const tokens = await Promise.all(tabs.map((s) => s.getToken()))
    expect(new Set(tokens).size).toBe(1)
    for (const s of tabs) s.dispose()
  })

  it('a fetch dropped for a sign-out while it waits for the lock makes no connector call', async () => {
    const { t, a, b, tab } = await twoTabs()
    const [tabA, tabB] = [tab(a), tab(b)]
    await tabA.getToken()
    await tabB.getToken()
    const release = b.hold()
    const slow = tabB.refresh().catch((error: unknown) => error) // holds the lock, hanging
    await t.flush()
    const dropped = tabA.refresh().catch((error: unknown) => error) // waits for the lock
    await t.flush()
    a.setUser(null) // the provider signs out: tab A's waiting fetch is dropped…
    await t.flush()
    a.setUser('user_1') // … and the user is back: one call for the user change
    await t.flush()
    release()
    await Promise.all([slow, dropped])
    await t.flush()
    expect(a.calls.map((c) => c.reason)).toEqual(['initial', 'changed'])
    expect(tabA.getSnapshot().status).toBe('authenticated')
    tabA.dispose()
    tabB.dispose()
  })

  it('sign-out in one tab signs out every tab without a fetch', async () => {
    const { t, a, b, storage, tab } = await twoTabs()
    const [tabA, tabB] = [tab(a), tab(b)]
    await tabA.getToken()
    await tabB.getToken()
    expect(a.callCount + b.callCount).toBe(1) // the second tab found the first one's token
    await tabA.signOut()
    await t.flush()
    expect(tabB.getSnapshot().status).toBe('signedOut')
    await expect(tabB.getToken()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_SIGNED_OUT'))
    await t.clock.advance(5 * 60_000)
    expect(b.callCount).toBe(0)
    expect(await storage.get('keyway:fake')).toBeUndefined()
    tabA.dispose()
    tabB.dispose()
  })
})

describe('Session: storage and tabs across a wall-clock jump back', () => {
  it('a stored token received before the wall clock went back is refetched, not trusted for its wall-clock expiry', async () => {
    const { t, a, b, now, tab } = await twoTabs()
    const first = tab(a)
    const token = await first.getToken()
    first.dispose()
    t.clock.jumpWall(-10 * 60_000)
    // By its wall-clock expiry the stored token would look 10 min younger than it is.
    const reloaded = tab(b)
    const next = await reloaded.getToken()
    expect(b.callCount).toBe(1)
    expect(next).not.toBe(token)
    await t.clock.advance(70_000)
    // Still fresh on the issuer's clock: the reload refreshes by the token's real life.
    const later = await reloaded.getToken()
    expect(decodeJwt(later).payload.exp! * 1000).toBeGreaterThan(now() + 5_000)
    reloaded.dispose()
  })

  it("after the wall clock went back, a tab takes another tab's token that expires later on the monotonic clock", async () => {
    const { t, a, b, tab } = await twoTabs()
    const [tabA, tabB] = [tab(a), tab(b)]
    const old = await tabA.getToken()
    expect(await tabB.getToken()).toBe(old)
    t.clock.jumpWall(-10 * 60_000)
    await t.clock.advance(20_000)
    const fresh = (await tabB.refresh())?.token
    await t.flush()
    expect(fresh).toBeDefined()
    expect(fresh).not.toBe(old)
    // Compared by wall-clock expiry, the held token would look 10 min "later" and win.
    expect(tabA.peek()?.token).toBe(fresh)
    expect(a.callCount + b.callCount).toBe(2)
    tabA.dispose()
    tabB.dispose()
  })
})

describe('Session: methods work detached from the object', () => {
  it('destructured getToken, getSnapshot, subscribe, refresh and dispose keep their session', async () => {
    const { session } = await setup({ lifetimeSec: 60 })
    const { getToken, getSnapshot, subscribe, refresh, dispose } = session
    let notified = 0
    const unsubscribe = subscribe(() => notified++)
    const token = await getToken()
    expect(decodeJwt(token).payload.sub).toBe(getSnapshot().userId)
    const refreshed = await refresh()
    expect(refreshed?.token).not.toBe(token)
    expect(notified).toBeGreaterThan(0)
    unsubscribe()
    dispose()
    await expect(getToken()).rejects.toSatisfy((e: unknown) => isKeywayError(e, 'ERR_DISPOSED'))
  })
})
