import { betterAuthConnector } from '@keyway/better-auth'
import { type Connector, createSession, isKeywayError, type Session } from '@keyway/core'
import { createTestPlatform, type TestPlatform } from '@keyway/core/testing'
import { httpConnector } from '@keyway/http'
import { createAuthClient } from 'better-auth/client'
import { jwtClient } from 'better-auth/client/plugins'
import { createRemoteJWKSet } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startBetterAuth } from '../../packages/better-auth/test/better-auth-server.js'
import { startTokenServer } from '../../packages/http/test/token-server.js'
import { cookieFetch } from '../support/cookie-fetch.js'
import { runFor } from './fake-scenario.js'
import { type FaultMode, type FaultProxy, startFaultProxy } from './fault-proxy.js'
import { ChaosRecorder, tokenVerifier } from './invariants.js'

// Network faults against a real stack: the app's token endpoint (@keyway/http's loopback
// token server, ES256 via jose) and Better Auth in-process, each behind a fault-injecting TCP
// proxy on 127.0.0.1. The session's timers run on the fake clock; every connector call is real
// network, and the fake clock waits for it (except a call meant to hang). Tokens are verified
// against each server's real JWKS at real time.

let tokens: Awaited<ReturnType<typeof startTokenServer>>
let tokenProxy: FaultProxy
let auth: Awaited<ReturnType<typeof startBetterAuth>>
let authProxy: FaultProxy

beforeAll(async () => {
  tokens = await startTokenServer()
  tokenProxy = await startFaultProxy(new URL(tokens.url).origin)
  auth = await startBetterAuth()
  authProxy = await startFaultProxy(auth.url)
})
afterEach(async () => {
  await tokenProxy.setMode('pass')
  await authProxy.setMode('pass')
})
afterAll(async () => {
  await tokenProxy.close()
  await authProxy.close()
  await tokens.close()
  await auth.close()
})

interface RealScenario {
  t: TestPlatform
  rec: ChaosRecorder
  session: Session
  proxy: FaultProxy
  verify(token: string): Promise<void>
  fault(mode: FaultMode): Promise<void>
  heal(): Promise<void>
}

function realScenario(connector: Connector, proxy: FaultProxy, jwksUrl: string): RealScenario {
  expect(proxy.state.mode).toBe('pass')
  const t = createTestPlatform({ startWall: Date.now() })
  const rec = new ChaosRecorder({
    clock: t.clock,
    // A hanging call must not hold the fake clock, or its 15 s timeout could never fire.
    track: (work) => (proxy.state.mode === 'hang' ? work : t.track(work)),
  })
  const session = createSession({ connector: rec.instrument(connector), platform: t.platform })
  rec.observe(session)
  return {
    t,
    rec,
    session,
    proxy,
    verify: tokenVerifier(createRemoteJWKSet(new URL(jwksUrl)), () => Date.now()),
    async fault(mode) {
      await proxy.setMode(mode)
      rec.faultStarts()
    },
    async heal() {
      await proxy.setMode('pass')
      rec.faultEnds()
    },
  }
}

/** A signed-in user of the app's own token endpoint, reached through the proxy. */
function tokenEndpointScenario(): RealScenario {
  const cookie = tokens.signIn(`user-${crypto.randomUUID()}`)
  const connector = httpConnector({ url: `${tokenProxy.url}/token`, headers: () => ({ cookie }) })
  return realScenario(connector, tokenProxy, `${new URL(tokens.url).origin}/jwks`)
}

/** The app uses its token; every token it is handed verifies, every refusal is coded. */
async function appUsesToken(s: RealScenario, refusals: unknown[] = []): Promise<void> {
  const token = await s.session.getToken().catch((e: unknown) => {
    refusals.push(e)
    return undefined
  })
  if (token) await s.verify(token)
}

function expectCodedTransient(errors: unknown[], code?: string): void {
  for (const e of errors) {
    expect(isKeywayError(e), String(e)).toBe(true)
    expect((e as { transient: boolean }).transient).toBe(true)
    if (code) expect((e as { code: string }).code).toBe(code)
  }
}

describe('chaos: network faults against a real stack (fault proxy on loopback)', () => {
  it('5xx burst (token endpoint answers 503 for 5 minutes)', async () => {
    const s = tokenEndpointScenario()
    await appUsesToken(s)
    await s.fault('5xx')
    const refusals: unknown[] = []
    await runFor(s.t, 5 * 60_000, 5_000, () => appUsesToken(s, refusals))
    await s.heal()
    expect(s.proxy.state.faulted).toBeGreaterThanOrEqual(4)
    expect(refusals.length).toBeGreaterThan(0) // the 60 s token ran out during the burst
    expectCodedTransient(refusals)
    expect(s.session.getSnapshot().lastError?.code).toBe('ERR_PROVIDER')
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })

  it('429 with Retry-After (30 s): no call before the provider allows it', async () => {
    const s = tokenEndpointScenario()
    await appUsesToken(s)
    tokenProxy.state.retryAfter = '30'
    await s.fault('429')
    await expect(s.session.refresh()).rejects.toSatisfy(
      (e) =>
        isKeywayError(e, 'ERR_PROVIDER') &&
        (e as { retryAfterMs?: number }).retryAfterMs === 30_000,
    )
    await runFor(s.t, 3 * 60_000, 1_000)
    await s.heal()
    const during = s.rec.callsDuringFault().filter((c) => c.outcome === 'error')
    expect(during.length).toBeGreaterThanOrEqual(4)
    expect(
      during.every((c) => (c.thrown as { retryAfterMs?: number }).retryAfterMs === 30_000),
    ).toBe(true)
    const gaps = during.slice(1).map((c, i) => c.at - during[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30_000)
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })

  it('hung connection: the 15 s fetch timeout aborts it through the signal', async () => {
    const s = tokenEndpointScenario()
    const token = await s.session.getToken()
    await s.fault('hang')
    await s.t.clock.advance(50_000) // the proactive refresh (39–45 s) hangs
    const hung = s.rec.calls.at(-1)!
    expect(hung.outcome).toBe('pending')
    expect(await s.session.getToken()).toBe(token) // still valid: served while the refresh hangs
    await s.t.clock.advance(15_000)
    // The hung call is not tracked (it would hold the fake clock): the abort reaches it through
    // the real fetch, so wait for that in real time, bounded, with the fake clock standing still.
    await vi.waitFor(() => expect(hung.outcome).toBe('error'), { timeout: 5_000, interval: 5 })
    expect(isKeywayError(hung.thrown, 'ERR_ABORTED')).toBe(true) // the signal cut the real fetch
    await runFor(s.t, 2 * 60_000, 5_000)
    expect(s.session.getSnapshot().lastError?.code).toBe('ERR_TIMEOUT')
    expect(s.proxy.state.faulted).toBeGreaterThanOrEqual(2)
    await s.heal()
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })

  it('connection reset (Better Auth in-process behind the proxy)', async () => {
    const jar = cookieFetch()
    const direct = createAuthClient({ baseURL: auth.url, fetchOptions: { customFetchImpl: jar } })
    const email = `chaos-${crypto.randomUUID()}@keyway.test`
    const up = await direct.signUp.email({ email, password: 'correct horse battery', name: 'c' })
    expect(up.error).toBeNull()
    // The app's client reaches Better Auth only through the proxy, with the same cookies.
    const client = createAuthClient({
      baseURL: authProxy.url,
      plugins: [jwtClient()],
      fetchOptions: { customFetchImpl: jar },
    })
    const s = realScenario(betterAuthConnector(client), authProxy, `${auth.url}/api/auth/jwks`)
    const token = await s.session.getToken()
    await s.fault('reset')
    await expect(s.session.refresh()).rejects.toSatisfy((e) => isKeywayError(e, 'ERR_NETWORK'))
    await runFor(s.t, 3 * 60_000, 5_000, async () => {
      // The 15 min token stays valid: it keeps being served, the status stays.
      expect(await s.session.getToken()).toBe(token)
      expect(s.session.getSnapshot().status).toBe('authenticated')
    })
    expect(s.proxy.state.faulted).toBeGreaterThanOrEqual(2)
    await s.heal()
    const { token: recovered } = await s.rec.assertInvariants(s.session, { verify: s.verify })
    expect(recovered).not.toBe(token)
    s.session.dispose()
  })

  it('connection closed before any answer (token endpoint)', async () => {
    const s = tokenEndpointScenario()
    await appUsesToken(s)
    await s.fault('close')
    const refusals: unknown[] = []
    await runFor(s.t, 3 * 60_000, 5_000, () => appUsesToken(s, refusals))
    await s.heal()
    expect(s.proxy.state.faulted).toBeGreaterThanOrEqual(3)
    expectCodedTransient(refusals)
    expect(s.session.getSnapshot().lastError?.code).toBe('ERR_NETWORK')
    await s.rec.assertInvariants(s.session, { verify: s.verify })
    s.session.dispose()
  })
})
