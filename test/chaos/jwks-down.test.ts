import { isKeywayError } from '@keyway/core'
import { createTestPlatform, createTokenMinter } from '@keyway/core/testing'
import { createVerifier, custom, type VerificationError } from '@keyway/server'
import type { JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from '../../packages/server/test/jwks-server.js'
import { fakeScenario, runFor } from './fake-scenario.js'
import { type FaultMode, type FaultProxy, startFaultProxy } from './fault-proxy.js'

// The provider's JWKS endpoint goes down on the server side (a real JWKS endpoint on loopback
// behind the fault proxy). The backend verifies every request with @keyway/server and reports
// a refusal to the session, as authFetch does on a 401. The verifier must keep verifying with
// the keys it fetched last, so the session sees no rejection at all; the shared invariants
// hold for the session.

const ISSUER = 'https://issuer.keyway.test'
const AUDIENCE = 'keyway-chaos'

let jwks: JwksServer
let proxy: FaultProxy
const t = createTestPlatform()
let minter: Awaited<ReturnType<typeof createTokenMinter>>

beforeAll(async () => {
  minter = await createTokenMinter({ now: t.clock.wallNow, issuer: ISSUER, audience: AUDIENCE })
  jwks = await startJwksServer(minter.jwks.keys as JWK[])
  proxy = await startFaultProxy(new URL(jwks.url).origin)
})
afterAll(async () => {
  await proxy.close()
  await jwks.close()
})

describe('chaos: JWKS endpoint down on the server side', () => {
  const modes: FaultMode[] = ['5xx', 'reset', 'close']
  for (const mode of modes)
    it(`JWKS endpoint down on the server side (${mode}): cached keys keep verifying`, async () => {
      await proxy.setMode('pass')
      const s = await fakeScenario({ t, lifetimeSec: 60, minter })
      const verifier = createVerifier({
        providers: [custom({ jwksUrl: `${proxy.url}/jwks`, issuer: ISSUER, audience: AUDIENCE })],
        // Keys count as stale at once, so every verification wants the endpoint again.
        jwks: { cacheMaxAgeMs: 1, cooldownMs: 30_000, timeoutMs: 2_000 },
        now: t.clock.wallNow,
      })
      const refusals: VerificationError[] = []
      let verified = 0
      const backend = async () => {
        const token = await s.session.getToken()
        try {
          const { userId } = await verifier.verify(token)
          expect(userId).toBe('user_1')
          verified++
        } catch (e) {
          refusals.push(e as VerificationError)
          await s.session.reportRejected(token).catch(() => undefined)
        }
      }
      await backend() // keys fetched once while the endpoint is up
      const upRequests = jwks.state.requests
      expect(upRequests).toBeGreaterThanOrEqual(1)
      await proxy.setMode(mode)
      s.rec.faultStarts()
      await runFor(t, 10 * 60_000, 5_000, backend)
      await proxy.setMode('pass')
      s.rec.faultEnds()
      // Every request of ten minutes verified, across ~13 new tokens, with the cached key.
      expect(refusals.map((e) => e.reason)).toEqual([])
      expect(verified).toBe(121)
      expect(s.rec.calls.length).toBeGreaterThanOrEqual(12)
      expect(s.session.getSnapshot().counters.rejections).toBe(0)
      // The endpoint was tried again, but not on every request.
      expect(proxy.state.faulted).toBeGreaterThanOrEqual(1)
      expect(proxy.state.faulted).toBeLessThan(verified)
      expect(jwks.state.requests).toBe(upRequests)
      await s.rec.assertInvariants(s.session, {
        verify: async (token) => {
          expect((await verifier.verify(token)).userId).toBe('user_1')
        },
      })
      s.session.dispose()
    })

  it('JWKS endpoint down before any key was fetched: a transient refusal, not a rejection', async () => {
    await proxy.setMode('5xx')
    const verifier = createVerifier({
      providers: [custom({ jwksUrl: `${proxy.url}/jwks`, issuer: ISSUER, audience: AUDIENCE })],
      now: t.clock.wallNow,
    })
    const error = await verifier.verify(await minter.mint({ sub: 'user_1' })).catch((e) => e)
    expect(isKeywayError(error, 'ERR_INVALID_TOKEN')).toBe(true)
    expect((error as VerificationError).reason).toBe('jwks_unavailable')
    expect((error as VerificationError).transient).toBe(true)
    await proxy.setMode('pass')
  })
})
