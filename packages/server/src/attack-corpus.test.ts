import { createTestPlatform } from '@keyway/core/testing'
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type JwksServer, startJwksServer } from '../test/jwks-server.js'
import {
  decodePart,
  guestDevice,
  type ProviderKey,
  providerKey,
  providerMinter,
  replacePart,
  signRaw,
} from '../test/tokens.js'
import { custom, firebase } from './presets/index.js'
import type { VerificationError } from './verification-error.js'
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.js'

// Every refusal of the verifier, one test each, against a real JWKS endpoint on loopback.
// Time is the fake wall clock of @keyway/core/testing; nothing sleeps.

const ISSUER = 'https://issuer.keyway.test'
const AUDIENCE = 'keyway-api'
const t = createTestPlatform({ startWall: Date.UTC(2026, 5, 1, 12) })
const now = t.clock.wallNow
const mint = providerMinter({ issuer: ISSUER, audience: AUDIENCE, now })

let es: ProviderKey
let rsa: ProviderKey
let attacker: ProviderKey
let jwks: JwksServer
let attackerJwks: JwksServer
let verifier: Verifier

function makeVerifier(options: Partial<VerifierOptions> = {}, url = jwks.url) {
  return createVerifier({
    providers: [custom({ id: 'test', jwksUrl: url, issuer: ISSUER, audience: AUDIENCE })],
    now,
    ...options,
  })
}

beforeAll(async () => {
  es = await providerKey('es')
  rsa = await providerKey('rsa', 'RS256')
  attacker = await providerKey('es') // same kid as the real key: only the signature tells
  jwks = await startJwksServer([es.jwk, rsa.jwk])
  attackerJwks = await startJwksServer([attacker.jwk])
  verifier = makeVerifier()
})
afterAll(async () => {
  await jwks.close()
  await attackerJwks.close()
})
afterEach(() => {
  vi.useRealTimers()
})

/** The verifier's refusal, checked to be coded and to carry no part of the token. */
async function refusal(token: string, v = verifier): Promise<VerificationError> {
  const error = await v.verify(token).then(
    () => undefined,
    (e: unknown) => e as VerificationError,
  )
  expect(error, 'the token must be refused').toBeDefined()
  expect(error!.code).toMatch(/^ERR_(INVALID_TOKEN|TOKEN_EXPIRED)$/)
  for (const part of token.split('.'))
    if (part.length >= 16) expect(`${error!.message} ${String(error)}`).not.toContain(part)
  return error!
}

describe('the verifier accepts', () => {
  it('a token signed by the provider, with its claims', async () => {
    const result = await verifier.verify(await mint(es, { role: 'authenticated' }))
    expect(result).toMatchObject({ userId: 'user_1', providerId: 'test', anonymous: false })
    expect(result.claims.role).toBe('authenticated')
  })

  it('an RS256 token from the same JWKS', async () => {
    expect((await verifier.verify(await mint(rsa))).userId).toBe('user_1')
  })
})

describe('attack corpus: provider tokens', () => {
  it('alg: none (unsigned)', async () => {
    const token = new UnsecuredJWT({ sub: 'admin' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now() / 1000)
      .setExpirationTime(now() / 1000 + 300)
      .encode()
    expect((await refusal(token)).reason).toBe('alg_none')
  })

  it('alg: none with the real kid and the signature stripped from a genuine token', async () => {
    const genuine = await mint(es, { sub: 'admin' })
    const stripped = `${replacePart(genuine, 0, { alg: 'none', kid: 'es' }).split('.').slice(0, 2).join('.')}.`
    expect((await refusal(stripped)).reason).toBe('alg_none')
  })

  it('HS256 signed with the provider RSA public key as the secret (key confusion)', async () => {
    const secret = new TextEncoder().encode(await exportSPKI(rsa.publicKey))
    const token = await new SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'admin',
      exp: now() / 1000 + 300,
    })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa' })
      .sign(secret)
    expect((await refusal(token)).reason).toBe('alg_not_allowed')
  })

  it('HS256 signed with the JWKS entry bytes as the secret (key confusion, JWK form)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(es.jwk))
    const token = await new SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'admin',
      exp: now() / 1000 + 300,
    })
      .setProtectedHeader({ alg: 'HS256', kid: 'es' })
      .sign(secret)
    expect((await refusal(token)).reason).toBe('alg_not_allowed')
  })

  it('an unknown kid: one JWKS refetch once the cooldown is over, none within it', async () => {
    // jose's JWKS cache reads Date.now, so only Date is faked (sockets keep real timers).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
    const server = await startJwksServer([es.jwk])
    const v = makeVerifier({ jwks: { cooldownMs: 30_000 } }, server.url)
    await v.verify(await mint(es))
    expect(server.state.requests).toBe(1)
    // Within the cooldown: refused from the cache, no request (no amplification).
    expect((await refusal(await mint(es, {}, { kid: 'rotated-in' }), v)).reason).toBe('unknown_kid')
    expect(server.state.requests).toBe(1)
    vi.advanceTimersByTime(31_000)
    // After it: exactly one refetch, then refused; further unknown kids cost nothing.
    expect((await refusal(await mint(es, {}, { kid: 'rotated-in' }), v)).reason).toBe('unknown_kid')
    expect(server.state.requests).toBe(2)
    for (const kid of ['k1', 'k2', 'k3', 'k4', 'k5'])
      expect((await refusal(await mint(es, {}, { kid }), v)).reason).toBe('unknown_kid')
    expect(server.state.requests).toBe(2)
    await server.close()
  })

  it('an expired token, as ERR_TOKEN_EXPIRED', async () => {
    const iat = now() / 1000 - 3600
    const error = await refusal(await mint(es, { iat, exp: now() / 1000 - 60 }))
    expect(error.code).toBe('ERR_TOKEN_EXPIRED')
    expect(error.reason).toBe('expired')
  })

  it('nbf in the future', async () => {
    expect((await refusal(await mint(es, { nbf: now() / 1000 + 600 }))).reason).toBe(
      'not_yet_valid',
    )
  })

  it('a token without exp', async () => {
    expect((await refusal(await mint(es, { exp: undefined }))).reason).toBe('missing_claim')
  })

  it('a wrong issuer', async () => {
    expect((await refusal(await mint(es, { iss: 'https://evil.test' }))).reason).toBe(
      'unknown_issuer',
    )
  })

  it('a wrong audience', async () => {
    expect((await refusal(await mint(es, { aud: 'another-api' }))).reason).toBe('bad_audience')
  })

  it('no audience where one is required', async () => {
    expect((await refusal(await mint(es, { aud: undefined }))).reason).toBe('bad_audience')
  })

  it('a jku header naming the attacker JWKS: never fetched, the forged signature fails', async () => {
    const before = { ours: jwks.state.requests, theirs: attackerJwks.state.requests }
    const token = await mint(attacker, { sub: 'admin' }, { jku: attackerJwks.url })
    expect((await refusal(token)).reason).toBe('bad_signature')
    // With a kid only the attacker's set has, the provider's JWKS is what gets asked.
    const fresh = makeVerifier({ jwks: { cooldownMs: 0 } })
    const unknown = await mint(
      attacker,
      { sub: 'admin' },
      { jku: attackerJwks.url, kid: 'attacker' },
    )
    expect((await refusal(unknown, fresh)).reason).toBe('unknown_kid')
    expect(attackerJwks.state.requests).toBe(before.theirs)
    expect(jwks.state.requests).toBeGreaterThan(before.ours)
  })

  it('an x5u header naming the attacker server: never fetched', async () => {
    const before = attackerJwks.state.requests
    const token = await mint(attacker, { sub: 'admin' }, { x5u: attackerJwks.url })
    expect((await refusal(token)).reason).toBe('bad_signature')
    expect(attackerJwks.state.requests).toBe(before)
  })

  it('an embedded jwk header on a provider token: ignored, the signature fails', async () => {
    const token = await mint(
      attacker,
      { sub: 'admin' },
      { jwk: await exportJWK(attacker.publicKey) },
    )
    expect((await refusal(token)).reason).toBe('bad_signature')
  })

  it('an unknown crit header, though signed by the real key', async () => {
    const token = await signRaw(
      { alg: 'ES256', kid: 'es', crit: ['x-keyway-unknown'], 'x-keyway-unknown': true },
      { iss: ISSUER, aud: AUDIENCE, sub: 'user_1', exp: now() / 1000 + 300 },
      es.privateKey,
    )
    expect((await refusal(token)).reason).toBe('unknown_crit')
  })

  it('a flipped signature byte', async () => {
    const [h, p, s] = (await mint(es)).split('.')
    const bytes = base64url.decode(s!)
    bytes[5]! ^= 0x01
    expect((await refusal(`${h}.${p}.${base64url.encode(bytes)}`)).reason).toBe('bad_signature')
  })

  it('a payload swapped under a genuine signature', async () => {
    const genuine = await mint(es)
    const forged = replacePart(genuine, 1, { ...decodePart(genuine, 1), sub: 'admin' })
    expect((await refusal(forged)).reason).toBe('bad_signature')
  })

  it('a token signed by another provider key with this provider issuer', async () => {
    const other = await providerKey('other')
    expect((await refusal(await mint(other))).reason).toBe('unknown_kid')
  })

  it('garbage, empty strings, oversized tokens and non-strings', async () => {
    for (const bad of ['', 'a.b', 'a.b.c', '....', 'eyJ.eyJ.sig', 'x'.repeat(20_000)])
      expect((await refusal(bad)).reason).toBe('malformed')
    await expect(verifier.verify(42 as unknown as string)).rejects.toMatchObject({
      reason: 'malformed',
    })
  })

  it('a request without a Bearer token, or with another scheme', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b'])
      await expect(
        verifier.verifyRequest(
          new Request('http://api.test/', authorization ? { headers: { authorization } } : {}),
        ),
      ).rejects.toMatchObject({ reason: 'no_token' })
  })

  it('a guest token where guests are not accepted', async () => {
    const guest = await guestDevice(now)
    expect((await refusal(await guest.token(AUDIENCE))).reason).toBe('anonymous_not_accepted')
  })

  it('a self-signed keyway token claiming a provider user id', async () => {
    const guest = await guestDevice(now)
    const v = makeVerifier({ anonymous: { audience: AUDIENCE } })
    expect((await refusal(await guest.token(AUDIENCE, { sub: 'user_1' }), v)).reason).toBe(
      'thumbprint_mismatch',
    )
  })

  it('a link proof presented as a bearer token', async () => {
    const guest = await guestDevice(now)
    const v = makeVerifier({ anonymous: { audience: AUDIENCE } })
    const proof = await guest.proof({ providerToken: 'x', nonce: 'n', audience: AUDIENCE })
    expect((await refusal(proof, v)).reason).toBe('wrong_type')
  })
})

describe('attack corpus: JWKS endpoint down', () => {
  it('keys already fetched keep verifying, and the endpoint is retried once per cooldown', async () => {
    const clock = { ms: now() }
    const server = await startJwksServer([es.jwk])
    // A zero cache age makes every verification want a refetch: the fallback is what answers.
    const v = makeVerifier(
      { jwks: { cacheMaxAgeMs: 0, cooldownMs: 30_000 }, now: () => clock.ms },
      server.url,
    )
    await v.verify(await mint(es))
    server.state.down = true
    const before = server.state.requests
    for (let i = 0; i < 5; i++) expect((await v.verify(await mint(es))).userId).toBe('user_1')
    expect(server.state.requests - before).toBe(1) // tried once, then served from the last keys
    clock.ms += 31_000
    expect(
      (await v.verify(await mint(es, { iat: clock.ms / 1000, exp: clock.ms / 1000 + 60 }))).userId,
    ).toBe('user_1')
    expect(server.state.requests - before).toBe(2)
    await server.close()
  })

  it('with nothing fetched yet: transient jwks_unavailable', async () => {
    const server = await startJwksServer([])
    server.state.down = true
    const error = await refusal(await mint(es), makeVerifier({}, server.url))
    expect(error.reason).toBe('jwks_unavailable')
    expect(error.transient).toBe(true)
    await server.close()
  })
})

describe('attack corpus: Firebase Auth emulator tokens (unsigned)', () => {
  const emulatorToken = () =>
    new UnsecuredJWT({ user_id: 'u1' })
      .setIssuer('https://securetoken.google.com/demo-keyway')
      .setAudience('demo-keyway')
      .setSubject('u1')
      .setIssuedAt(now() / 1000)
      .setExpirationTime(now() / 1000 + 3600)
      .encode()

  it('are refused without emulator: true', async () => {
    const strict = createVerifier({ providers: [firebase({ projectId: 'demo-keyway' })], now })
    expect((await refusal(emulatorToken(), strict)).reason).toBe('alg_none')
  })

  it('are accepted with emulator: true, claims still checked', async () => {
    const dev = createVerifier({
      providers: [firebase({ projectId: 'demo-keyway', emulator: true })],
      now,
    })
    expect((await dev.verify(emulatorToken())).userId).toBe('u1')
    const otherProject = new UnsecuredJWT({})
      .setIssuer('https://securetoken.google.com/demo-keyway')
      .setAudience('another-project')
      .setSubject('u1')
      .setExpirationTime(now() / 1000 + 3600)
      .encode()
    expect((await refusal(otherProject, dev)).reason).toBe('bad_audience')
  })

  it('emulator: true refuses to start when NODE_ENV=production', () => {
    vi.stubEnv('NODE_ENV', 'production')
    try {
      expect(() =>
        createVerifier({ providers: [firebase({ projectId: 'p', emulator: true })] }),
      ).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
      // The same config without the emulator starts in production.
      expect(() => createVerifier({ providers: [firebase({ projectId: 'p' })] })).not.toThrow()
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

describe('attack corpus: guest (anonymous) tokens', () => {
  const linked = new Set<string>()
  const guests = () =>
    makeVerifier({ anonymous: { audience: AUDIENCE, isLinked: async (id) => linked.has(id) } })

  it('a sub that is not the thumbprint of the embedded key', async () => {
    const [victim, attacker] = [await guestDevice(now), await guestDevice(now)]
    const token = await attacker.token(AUDIENCE, { sub: victim.id })
    expect((await refusal(token, guests())).reason).toBe('thumbprint_mismatch')
  })

  it('signed by another key than the embedded one', async () => {
    const [victim, attacker] = [await guestDevice(now), await guestDevice(now)]
    const token = await victim.token(AUDIENCE, {}, {}, attacker.privateKey)
    expect((await refusal(token, guests())).reason).toBe('bad_signature')
  })

  it('living longer than an hour', async () => {
    const guest = await guestDevice(now)
    const token = await guest.token(AUDIENCE, { exp: now() / 1000 + 3601 })
    expect((await refusal(token, guests())).reason).toBe('lifetime_too_long')
  })

  it('issued more than 60 s in the future', async () => {
    const guest = await guestDevice(now)
    const iat = now() / 1000 + 61
    const token = await guest.token(AUDIENCE, { iat, exp: iat + 600 })
    expect((await refusal(token, guests())).reason).toBe('issued_in_future')
  })

  it('expired', async () => {
    const guest = await guestDevice(now)
    const iat = now() / 1000 - 700
    const error = await refusal(await guest.token(AUDIENCE, { iat, exp: iat + 600 }), guests())
    expect(error.code).toBe('ERR_TOKEN_EXPIRED')
  })

  it('for another audience', async () => {
    const guest = await guestDevice(now)
    expect((await refusal(await guest.token('other-api'), guests())).reason).toBe('bad_audience')
  })

  it('with a private key embedded', async () => {
    const guest = await guestDevice(now)
    const pair = await generateKeyPair('ES256', { extractable: true })
    const withD = await exportJWK(pair.privateKey)
    const token = await guest.token(AUDIENCE, {}, { jwk: withD }, pair.privateKey)
    expect((await refusal(token, guests())).reason).toBe('malformed')
  })

  it('an RSA key embedded (guest tokens are ES256 on P-256 only)', async () => {
    const guest = await guestDevice(now)
    const pair = await generateKeyPair('RS256', { extractable: true })
    const token = await new SignJWT({ iss: 'urn:keyway:anonymous', sub: guest.id, aud: AUDIENCE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'keyway-anon+jwt',
        jwk: await exportJWK(pair.publicKey),
      })
      .setIssuedAt(now() / 1000)
      .setExpirationTime(now() / 1000 + 600)
      .sign(pair.privateKey)
    expect((await refusal(token, guests())).reason).toBe('alg_not_allowed')
  })

  it('the guest issuer without the guest typ', async () => {
    const guest = await guestDevice(now)
    const token = await guest.token(AUDIENCE, {}, { typ: 'JWT' })
    expect((await refusal(token, guests())).reason).toBe('wrong_type')
  })

  it('a guest whose identity was linked to an account', async () => {
    const guest = await guestDevice(now)
    const token = await guest.token(AUDIENCE)
    expect((await guests().verify(token)).userId).toBe(guest.id)
    linked.add(guest.id)
    expect((await refusal(token, guests())).reason).toBe('anonymous_not_accepted')
  })
})
