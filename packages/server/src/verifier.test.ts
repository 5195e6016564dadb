import { createTestPlatform } from '@keyway/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configError } from '../test/corpus.js'
import { type JwksServer, startJwksServer } from '../test/jwks-server.js'
import { guestDevice, type ProviderKey, providerKey, providerMinter } from '../test/tokens.js'
import { anonymousIdFromJwk } from './anonymous.js'
import { custom } from './presets/index.js'
import { createVerifier } from './verifier.js'

const t = createTestPlatform({ startWall: Date.UTC(2026, 5, 1, 12) })
const now = t.clock.wallNow
const A = 'https://a.keyway.test'
const B = 'https://b.keyway.test'
let keyA: ProviderKey
let keyB: ProviderKey
let jwksA: JwksServer
let jwksB: JwksServer

beforeAll(async () => {
  keyA = await providerKey('a')
  keyB = await providerKey('b', 'RS256')
  jwksA = await startJwksServer([keyA.jwk])
  jwksB = await startJwksServer([keyB.jwk])
})
afterAll(async () => {
  await jwksA.close()
  await jwksB.close()
})

const providers = () => [
  custom({ id: 'alpha', jwksUrl: jwksA.url, issuer: A }),
  custom({
    id: 'beta',
    jwksUrl: jwksB.url,
    issuer: [B, `${B}/v2`],
    audience: 'beta-api',
    namespace: 'beta',
  }),
]

describe('createVerifier', () => {
  it('routes each token to the provider its iss names, each with its own keys', async () => {
    const verifier = createVerifier({ providers: providers(), now })
    const mintA = providerMinter({ issuer: A, now })
    const mintB = providerMinter({ issuer: `${B}/v2`, audience: 'beta-api', now })
    expect(await verifier.verify(await mintA(keyA))).toMatchObject({ providerId: 'alpha' })
    expect(await verifier.verify(await mintB(keyB))).toMatchObject({
      providerId: 'beta',
      userId: 'beta:user_1',
    })
    // B's key under A's issuer: A's JWKS does not have it.
    const crossed = await providerMinter({ issuer: A, now })(keyB)
    await expect(verifier.verify(crossed)).rejects.toMatchObject({ reason: 'unknown_kid' })
  })

  it('fetches no JWKS before the first token, then one per provider', async () => {
    const before = [jwksA.state.requests, jwksB.state.requests]
    const verifier = createVerifier({ providers: providers(), now })
    expect([jwksA.state.requests, jwksB.state.requests]).toEqual(before)
    await verifier.verify(await providerMinter({ issuer: A, now })(keyA))
    await verifier.verify(await providerMinter({ issuer: A, now })(keyA))
    expect([jwksA.state.requests - before[0]!, jwksB.state.requests - before[1]!]).toEqual([1, 0])
  })

  it('refuses ambiguous or unsafe configurations with ERR_CONFIG', () => {
    const url = 'https://x.test/jwks'
    expect(
      configError(() =>
        createVerifier({
          providers: [
            custom({ id: 'one', jwksUrl: url, issuer: A }),
            custom({ id: 'two', jwksUrl: url, issuer: [B, A] }),
          ],
        }),
      ),
    ).toBe(true)
    expect(
      configError(() =>
        createVerifier({ providers: [custom({ jwksUrl: url, issuer: 'urn:keyway:anonymous' })] }),
      ),
    ).toBe(true)
    expect(
      configError(() =>
        createVerifier({
          providers: [{ id: 'raw', jwksUrl: url, issuer: A, audienceRequired: true }],
        }),
      ),
    ).toBe(true)
  })

  it('tolerates clockTolerance seconds of skew on exp, and no more', async () => {
    const mint = providerMinter({ issuer: A, now })
    const s = now() / 1000
    const justExpired = await mint(keyA, { iat: s - 300, exp: s - 4 })
    const wellExpired = await mint(keyA, { iat: s - 300, exp: s - 6 })
    const lenient = createVerifier({ providers: providers(), now })
    expect((await lenient.verify(justExpired)).userId).toBe('user_1')
    await expect(lenient.verify(wellExpired)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
    const strict = createVerifier({ providers: providers(), now, clockTolerance: 0 })
    await expect(strict.verify(justExpired)).rejects.toMatchObject({ reason: 'expired' })
  })

  it('reads the Bearer token of a Fetch request, whatever the scheme case', async () => {
    const verifier = createVerifier({ providers: providers(), now })
    const token = await providerMinter({ issuer: A, now })(keyA, { sub: 'user_req' })
    for (const scheme of ['Bearer', 'bearer', 'BEARER'])
      expect(
        (
          await verifier.verifyRequest(
            new Request('http://api.test', { headers: { authorization: `${scheme} ${token}` } }),
          )
        ).userId,
      ).toBe('user_req')
  })
})

describe('anonymous (guest) tokens', () => {
  const guests = (maxLifetimeSec?: number) =>
    createVerifier({
      providers: providers(),
      anonymous: { audience: ['api', 'api-2'], maxLifetimeSec },
      now,
    })

  it('verify with their own embedded key: sub = anon_<thumbprint>, providerId anonymous', async () => {
    const guest = await guestDevice(now)
    const result = await guests().verify(await guest.token('api-2'))
    expect(result).toMatchObject({ userId: guest.id, providerId: 'anonymous', anonymous: true })
    expect(result.userId).toMatch(/^anon_[A-Za-z0-9_-]{43}$/)
  })

  it('accept the limits exactly: an hour of life, iat 60 s ahead', async () => {
    const guest = await guestDevice(now)
    const s = now() / 1000
    expect(
      (await guests().verify(await guest.token('api', { iat: s, exp: s + 3600 }))).anonymous,
    ).toBe(true)
    expect(
      (await guests().verify(await guest.token('api', { iat: s + 60, exp: s + 660 }))).anonymous,
    ).toBe(true)
    await expect(
      guests(600).verify(await guest.token('api', { iat: s, exp: s + 601 })),
    ).rejects.toMatchObject({
      reason: 'lifetime_too_long',
    })
  })

  it('anonymousIdFromJwk is anon_ + the RFC 7638 thumbprint (the RFC example key)', async () => {
    const rfc7638 = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }
    expect(await anonymousIdFromJwk(rfc7638)).toBe(
      'anon_NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    )
    const guest = await guestDevice(now)
    expect(await anonymousIdFromJwk({ ...guest.jwk, kid: 'ignored', use: 'sig' })).toBe(guest.id)
  })
})
