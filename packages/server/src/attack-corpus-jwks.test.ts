import type { JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusal, wallClock } from '../test/corpus.js'
import { type JwksMode, type JwksServer, startJwksServer } from '../test/jwks-server.js'
import { type ProviderKey, providerKey, providerMinter, signRaw } from '../test/tokens.js'
import type { JwksOptions } from './jwks.js'
import { custom } from './presets/index.js'
import { createVerifier } from './verifier.js'

// The attack corpus, part 2: the provider's JWKS endpoint misbehaving (RFC 8725 §3.10 and
// what a provider outage looks like), with the endpoint's request counter as the proof of
// every cooldown. A real endpoint on loopback; the verifier's clock is a mutable wall clock.

const ISSUER = 'https://issuer.keyway.test'
const T0 = Date.UTC(2026, 5, 1, 12)
let key: ProviderKey
let attacker: ProviderKey
const servers: JwksServer[] = []

beforeAll(async () => {
  key = await providerKey('k')
  attacker = await providerKey('k')
})
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

async function setup(jwks: JwksOptions = {}, keys: JWK[] = [key.jwk]) {
  const server = await startJwksServer(keys)
  servers.push(server)
  const clock = wallClock(T0)
  const verifier = createVerifier({
    providers: [custom({ jwksUrl: server.url, issuer: ISSUER })],
    jwks: { timeoutMs: 1_000, ...jwks },
    now: clock.now,
  })
  const mint = providerMinter({ issuer: ISSUER, now: clock.now })
  return { server, clock, verifier, mint }
}

const BROKEN: Array<[JwksMode, string, Partial<JwksServer['state']>]> = [
  ['down', '503', {}],
  ['not-found', '404', {}],
  ['garbage', '200 with bytes that are not JSON', {}],
  ['not-a-key-set', '200 with JSON that is not a key set', {}],
  ['html', '200 with an HTML login page', {}],
  ['huge', '200 with a 4 MB body (declared length)', {}],
  ['huge', '200 with a 4 MB chunked body', { chunked: true }],
  ['slow', 'an answer slower than the timeout', { delayMs: 3_000 }],
  ['redirect', 'a 302 to another JWKS', {}],
]

describe('attack corpus: JWKS endpoint broken on a cold start (no keys yet)', () => {
  for (const [mode, what, extra] of BROKEN)
    it(`${what}: 30 tokens cost 1 fetch, each a transient jwks_unavailable; 1 more after the cooldown`, async () => {
      const { server, clock, verifier, mint } = await setup({ timeoutMs: 1_000 })
      Object.assign(server.state, { mode, ...extra })
      const token = await mint(key)
      for (let i = 0; i < 30; i++) {
        const error = await refusal(
          verifier,
          i % 2 ? token : await mint(attacker, { sub: `x${i}` }),
        )
        expect([error.reason, error.transient]).toEqual(['jwks_unavailable', true])
      }
      expect(server.state.requests).toBe(1)
      clock.ms += 31_000
      await refusal(verifier, token)
      expect(server.state.requests).toBe(2)
      server.state.mode = 'ok'
      clock.ms += 31_000
      expect((await verifier.verify(await mint(key))).userId).toBe('user_1')
      expect(server.state.requests).toBe(3)
    })

  it('30 concurrent tokens during a cold outage share 1 fetch', async () => {
    const { server, verifier, mint } = await setup()
    server.state.down = true
    const tokens = await Promise.all(
      Array.from({ length: 30 }, (_, i) => mint(key, { sub: `u${i}` })),
    )
    const errors = await Promise.all(tokens.map((t) => refusal(verifier, t)))
    expect(new Set(errors.map((e) => e.reason))).toEqual(new Set(['jwks_unavailable']))
    expect(server.state.requests).toBe(1)
  })

  it('30 concurrent tokens on a healthy cold start share 1 fetch', async () => {
    const { server, verifier, mint } = await setup()
    const tokens = await Promise.all(
      Array.from({ length: 30 }, (_, i) => mint(key, { sub: `u${i}` })),
    )
    const results = await Promise.all(tokens.map((t) => verifier.verify(t)))
    expect(results.map((r) => r.userId)).toEqual(tokens.map((_, i) => `u${i}`))
    expect(server.state.requests).toBe(1)
  })
})

describe('attack corpus: JWKS endpoint broken once keys are cached', () => {
  for (const [mode, what, extra] of BROKEN)
    it(`${what}: the cached keys keep verifying, 1 fetch per cooldown`, async () => {
      const { server, clock, verifier, mint } = await setup({
        timeoutMs: 1_000,
        cacheMaxAgeMs: 60_000,
      })
      await verifier.verify(await mint(key))
      Object.assign(server.state, { mode, ...extra })
      clock.ms += 61_000 // the keys are due for a refresh
      for (let i = 0; i < 30; i++)
        expect((await verifier.verify(await mint(key))).userId).toBe('user_1')
      expect(server.state.requests).toBe(2)
      clock.ms += 31_000
      await verifier.verify(await mint(key))
      expect(server.state.requests).toBe(3)
    })
})

describe('attack corpus: JWKS answers that try to take over', () => {
  it('a redirect to the attacker JWKS is not followed', async () => {
    const evil = await startJwksServer([attacker.jwk])
    servers.push(evil)
    const { server, verifier, mint } = await setup()
    Object.assign(server.state, { mode: 'redirect', redirectTo: evil.url })
    expect((await refusal(verifier, await mint(attacker, { sub: 'admin' }))).reason).toBe(
      'jwks_unavailable',
    )
    expect(evil.state.requests).toBe(0)
  })

  it('a 64 MB chunked body is cut off: the server writes a fraction of it before the read stops', async () => {
    const { server, verifier, mint } = await setup({ timeoutMs: 5_000 })
    Object.assign(server.state, { mode: 'huge', chunked: true, hugeBytes: 64 * 1024 * 1024 })
    expect((await refusal(verifier, await mint(key))).reason).toBe('jwks_unavailable')
    await new Promise((r) => setTimeout(r, 50))
    console.info(
      `[jwks] huge body: ${server.state.hugeWritten} of ${server.state.hugeBytes} bytes written`,
    )
    expect(server.state.hugeWritten).toBeLessThan(16 * 1024 * 1024)
  })

  it('kid flooding: 100 unknown kids within the cooldown cost no fetch, then 1', async () => {
    const { server, clock, verifier, mint } = await setup()
    await verifier.verify(await mint(key))
    for (let i = 0; i < 100; i++)
      expect((await refusal(verifier, await mint(key, {}, { kid: `flood-${i}` }))).reason).toBe(
        'unknown_kid',
      )
    expect(server.state.requests).toBe(1)
    clock.ms += 31_000
    for (let i = 0; i < 100; i++)
      await refusal(verifier, await mint(key, {}, { kid: `again-${i}` }))
    expect(server.state.requests).toBe(2)
  })

  it('an unknown kid while the endpoint is down is transient (it may be a key rotated in)', async () => {
    const { server, clock, verifier, mint } = await setup()
    await verifier.verify(await mint(key))
    server.state.down = true
    clock.ms += 31_000
    const error = await refusal(verifier, await mint(key, {}, { kid: 'rotated-in' }))
    expect([error.reason, error.transient]).toEqual(['jwks_unavailable', true])
  })

  it('a key rotated in is fetched once and verifies', async () => {
    const { server, clock, verifier, mint } = await setup()
    await verifier.verify(await mint(key))
    const next = await providerKey('k2')
    server.state.keys = [key.jwk, next.jwk]
    clock.ms += 31_000
    expect((await verifier.verify(await mint(next))).userId).toBe('user_1')
    expect(server.state.requests).toBe(2)
  })
})

describe('attack corpus: the stale-keys window', () => {
  it('during an outage the last keys verify for 24 h after their fetch, then jwks_unavailable', async () => {
    const { server, clock, verifier, mint } = await setup()
    await verifier.verify(await mint(key))
    server.state.down = true
    for (const hours of [1, 12, 23.9]) {
      clock.ms = T0 + hours * 3_600_000
      expect((await verifier.verify(await mint(key))).userId).toBe('user_1')
    }
    clock.ms = T0 + 24 * 3_600_000 + 1
    const error = await refusal(verifier, await mint(key))
    expect([error.reason, error.transient]).toEqual(['jwks_unavailable', true])
    server.state.down = false
    clock.ms += 31_000
    expect((await verifier.verify(await mint(key))).userId).toBe('user_1')
  })

  it('a key revoked during the outage stops verifying when the window closes (staleWindowMs: 1 h)', async () => {
    const { server, clock, verifier, mint } = await setup({ staleWindowMs: 3_600_000 })
    const next = await providerKey('k2')
    await verifier.verify(await mint(key))
    server.state.down = true
    server.state.keys = [next.jwk] // the provider revoked `key` meanwhile
    clock.ms = T0 + 3_599_000
    expect((await verifier.verify(await mint(key))).userId).toBe('user_1')
    clock.ms = T0 + 3_600_001
    expect((await refusal(verifier, await mint(key))).reason).toBe('jwks_unavailable')
    server.state.down = false
    clock.ms += 31_000
    expect((await refusal(verifier, await mint(key))).reason).toBe('unknown_kid')
    expect((await verifier.verify(await mint(next))).userId).toBe('user_1')
  })
})

describe('attack corpus: JWKS size and key selection', () => {
  it('verification cost does not grow with the JWKS: 20,000 keys vs 1 key (indexed once per fetch)', async () => {
    const filler = Array.from({ length: 20_000 }, (_, i) => ({ ...key.jwk, kid: `filler-${i}` }))
    const big = await setup({ maxBodyBytes: 16 * 1024 * 1024 }, [...filler, key.jwk])
    const small = await setup()
    const token = await big.mint(key)
    const time = async (v: typeof big.verifier) => {
      await v.verify(token)
      const started = performance.now()
      for (let i = 0; i < 300; i++) await v.verify(token)
      return (performance.now() - started) / 300
    }
    const [bigMs, smallMs] = [await time(big.verifier), await time(small.verifier)]
    console.info(
      `[jwks] per verification: 20,001 keys ${bigMs.toFixed(3)} ms, 1 key ${smallMs.toFixed(3)} ms`,
    )
    expect(big.server.state.requests).toBe(1)
    expect(bigMs).toBeLessThan(smallMs * 3 + 0.2)
  })

  it('a JWKS over the default 512 KiB body limit is refused (transient), not parsed', async () => {
    const filler = Array.from({ length: 20_000 }, (_, i) => ({ ...key.jwk, kid: `filler-${i}` }))
    const { verifier, mint } = await setup({}, [...filler, key.jwk])
    const error = await refusal(verifier, await mint(key))
    expect([error.reason, error.transient]).toEqual(['jwks_unavailable', true])
  })

  it('a kid-less token against two keys of its type: each is tried, the second verifies', async () => {
    const other = await providerKey('other')
    const { verifier, clock } = await setup({}, [other.jwk, key.jwk])
    const claims = { iss: ISSUER, sub: 'user_1', iat: clock.sec(), exp: clock.sec() + 300 }
    expect(
      (await verifier.verify(await signRaw({ alg: 'ES256' }, claims, key.privateKey))).userId,
    ).toBe('user_1')
    expect(
      (await refusal(verifier, await signRaw({ alg: 'ES256' }, claims, attacker.privateKey)))
        .reason,
    ).toBe('bad_signature')
  })

  it('a kid-less token against twenty keys of its type: ambiguous_key, not twenty signature checks', async () => {
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => providerKey(`m${i}`)))
    const { verifier, clock } = await setup(
      {},
      many.map((k) => k.jwk),
    )
    const claims = { iss: ISSUER, sub: 'user_1', iat: clock.sec(), exp: clock.sec() + 300 }
    const error = await refusal(
      verifier,
      await signRaw({ alg: 'ES256' }, claims, many[19]!.privateKey),
    )
    expect(error.reason).toBe('ambiguous_key')
  })

  for (const [what, entry] of [
    ['use: enc', { use: 'enc' }],
    ['key_ops without verify', { key_ops: ['encrypt'] }],
    ['alg RS256 on an EC key', { alg: 'RS256' }],
    ['crv P-384 on a P-256 key', { crv: 'P-384' }],
  ] as const)
    it(`a JWKS entry with ${what} is not used to verify → unknown_kid`, async () => {
      const { verifier, mint } = await setup({}, [{ ...key.jwk, ...entry } as JWK])
      expect((await refusal(verifier, await mint(key))).reason).toBe('unknown_kid')
    })

  it('a JWKS entry with broken coordinates under another kid does not spoil the set', async () => {
    const { verifier, mint } = await setup({}, [{ ...key.jwk, kid: 'broken', x: 'AAAA' }, key.jwk])
    expect((await verifier.verify(await mint(key))).userId).toBe('user_1')
  })

  it('a JWKS entry that is a private key is refused, not used', async () => {
    const { exportJWK } = await import('jose')
    const priv = { ...(await exportJWK(key.privateKey)), kid: 'k', alg: 'ES256' }
    const { verifier, mint } = await setup({}, [priv])
    const error = await refusal(verifier, await mint(key))
    expect(error.code).toBe('ERR_INVALID_TOKEN')
  })
})
