import { createHmac } from 'node:crypto'
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusal, wallClock } from '../test/corpus.js'
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
import { custom } from './presets/index.js'
import type { RejectionReason } from './verification-error.js'
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.js'

// The attack corpus, part 1: provider tokens (RFC 8725 §2–3: algorithms, keys, headers,
// claims, encodings), each refused with a coded reason, against a real JWKS endpoint on
// loopback. Part 2 (attack-corpus-jwks) is the JWKS endpoint's behaviour, part 3
// (attack-corpus-guests) guest tokens and link proofs, part 4 (attack-corpus-config) the
// rules that live in configuration. Time is a fixed wall clock; nothing sleeps.

const ISSUER = 'https://issuer.keyway.test'
const AUDIENCE = 'keyway-api'
const clock = wallClock(Date.UTC(2026, 5, 1, 12))
const s = clock.sec
const mint = providerMinter({ issuer: ISSUER, audience: AUDIENCE, now: clock.now })

let es: ProviderKey
let rsa: ProviderKey
let attacker: ProviderKey
let jwks: JwksServer
let attackerJwks: JwksServer
let verifier: Verifier
let pem: string

function makeVerifier(options: Partial<VerifierOptions> = {}, url = jwks.url) {
  return createVerifier({
    providers: [custom({ id: 'test', jwksUrl: url, issuer: ISSUER, audience: AUDIENCE })],
    now: clock.now,
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
  pem = await exportSPKI(rsa.publicKey)
})
afterAll(async () => {
  await jwks.close()
  await attackerJwks.close()
})

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user_1',
  iat: s(),
  exp: s() + 300,
  ...extra,
})
const hs256 = (input: string, secret: string | Uint8Array) =>
  base64url.encode(createHmac('sha256', secret).update(input).digest())
/** A token whose header is `header`, payload the genuine claims, signed by HMAC with `secret`. */
const hmacToken = (header: Record<string, unknown>, secret: string | Uint8Array) => {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims()))}`
  return `${input}.${hs256(input, secret)}`
}
/** The genuine token with one character of segment `index` replaced by `char`. */
const withChar = (token: string, index: number, at: number, char: string) => {
  const parts = token.split('.')
  const part = parts[index]!
  const i = at < 0 ? part.length + at : at
  parts[index] = part.slice(0, i) + char + part.slice(i + 1)
  return parts.join('.')
}
/** The signature's last character with its spare bits set: the same bytes, another string. */
const spareBits = (token: string, index: number) => {
  const part = token.split('.')[index]!
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = alphabet.indexOf(part[part.length - 1]!)
  const spare = part.length % 4 === 2 ? 0x0f : 0x03
  return withChar(token, index, -1, alphabet[(last & ~spare) | 1]!)
}

type Case = [name: string, token: () => Promise<string> | string, reason: RejectionReason]

function corpus(title: string, cases: Case[]) {
  describe(`attack corpus: ${title}`, () => {
    for (const [name, make, reason] of cases)
      it(`${name} → ${reason}`, async () => {
        expect((await refusal(verifier, await make())).reason).toBe(reason)
      })
  })
}

describe('positive controls: genuine provider tokens verify', () => {
  it('an ES256 token signed by the provider, with its claims', async () => {
    const result = await verifier.verify(await mint(es, { role: 'authenticated' }))
    expect(result).toMatchObject({ userId: 'user_1', providerId: 'test', anonymous: false })
    expect(result.claims.role).toBe('authenticated')
  })
  it('an RS256 token from the same JWKS', async () => {
    expect((await verifier.verify(await mint(rsa))).userId).toBe('user_1')
  })
  it('a token without kid: the one key of its type is used', async () => {
    const token = await signRaw({ alg: 'ES256' }, claims(), es.privateKey)
    expect((await verifier.verify(token)).userId).toBe('user_1')
  })
  it('a token at exactly the lifetime cap (24 h) and with iat at the clock tolerance', async () => {
    expect((await verifier.verify(await mint(es, { exp: s() + 86_400 }))).userId).toBe('user_1')
    expect((await verifier.verify(await mint(es, { iat: s() + 5, exp: s() + 300 }))).userId).toBe(
      'user_1',
    )
  })
  it('an audience array that contains ours', async () => {
    expect((await verifier.verify(await mint(es, { aud: ['other', AUDIENCE] }))).userId).toBe(
      'user_1',
    )
  })
})

corpus('algorithms (RFC 8725 §2.1, §3.1)', [
  [
    'alg: none (unsigned)',
    () =>
      new UnsecuredJWT({ sub: 'admin' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(s())
        .setExpirationTime(s() + 300)
        .encode(),
    'alg_none',
  ],
  [
    'alg: none with the real kid, signature stripped from a genuine token',
    async () => {
      const forged = replacePart(await mint(es, { sub: 'admin' }), 0, { alg: 'none', kid: 'es' })
      return `${forged.split('.').slice(0, 2).join('.')}.`
    },
    'alg_none',
  ],
  [
    'alg: none keeping the genuine signature',
    async () => replacePart(await mint(es), 0, { alg: 'none', kid: 'es' }),
    'alg_none',
  ],
  ...(['None', 'NONE', 'nOnE'] as const).map(
    (alg): Case => [
      `alg: ${alg} (case variant of none)`,
      async () =>
        `${replacePart(await mint(es), 0, { alg, kid: 'es' })
          .split('.')
          .slice(0, 2)
          .join('.')}.`,
      'alg_not_allowed',
    ],
  ),
  [
    'HS256 signed with the provider RSA public key (PEM) as the secret',
    () => hmacToken({ alg: 'HS256', kid: 'rsa' }, pem),
    'alg_not_allowed',
  ],
  [
    'HS256 signed with the JWKS entry bytes as the secret',
    () => hmacToken({ alg: 'HS256', kid: 'es' }, JSON.stringify(es.jwk)),
    'alg_not_allowed',
  ],
  [
    'HS256 signed with the EC x coordinate as the secret',
    () => hmacToken({ alg: 'HS256', kid: 'es' }, base64url.decode(es.jwk.x!)),
    'alg_not_allowed',
  ],
  [
    'HS384 with the PEM as the secret',
    () => hmacToken({ alg: 'HS384', kid: 'rsa' }, pem),
    'alg_not_allowed',
  ],
  [
    'HS512 with the PEM as the secret',
    () => hmacToken({ alg: 'HS512', kid: 'rsa' }, pem),
    'alg_not_allowed',
  ],
  ['HS256 with an empty secret', () => hmacToken({ alg: 'HS256' }, ''), 'alg_not_allowed'],
  ...(['ES384', 'ES512', 'PS256', 'EdDSA'] as const).map(
    (alg): Case => [
      `alg relabelled ${alg} over a genuine ES256 signature (no key of that type under the kid)`,
      async () => replacePart(await mint(es), 0, { alg, kid: 'es' }),
      'unknown_kid',
    ],
  ),
  ...(['ES256K', 'RS1', 'dir', 'RSA-OAEP', 'A128KW', ''] as const).map(
    (alg): Case => [
      `alg relabelled ${alg || '(empty)'} over a genuine ES256 signature`,
      async () => replacePart(await mint(es), 0, { alg, kid: 'es' }),
      'alg_not_allowed',
    ],
  ),
  [
    'alg missing from the header',
    async () => replacePart(await mint(es), 0, { kid: 'es' }),
    'alg_not_allowed',
  ],
  [
    'alg as a number',
    async () => replacePart(await mint(es), 0, { alg: 256, kid: 'es' }),
    'alg_not_allowed',
  ],
  [
    'alg as an array',
    async () => replacePart(await mint(es), 0, { alg: ['ES256'], kid: 'es' }),
    'alg_not_allowed',
  ],
  [
    'RS256 label with the EC key id (key/algorithm mismatch)',
    async () => replacePart(await mint(es), 0, { alg: 'RS256', kid: 'es' }),
    'unknown_kid',
  ],
  [
    'ES256 label with the RSA key id',
    async () => replacePart(await mint(rsa), 0, { alg: 'ES256', kid: 'rsa' }),
    'unknown_kid',
  ],
])

corpus('keys and header parameters (RFC 8725 §3.10)', [
  [
    'a jku header naming the attacker JWKS, signed by the attacker',
    () => mint(attacker, { sub: 'admin' }, { jku: 'http://127.0.0.1:1/jwks' }),
    'bad_signature',
  ],
  [
    'an x5u header naming the attacker server',
    () => mint(attacker, { sub: 'admin' }, { x5u: 'http://127.0.0.1:1/cert' }),
    'bad_signature',
  ],
  [
    'an embedded jwk header with the attacker key',
    async () => mint(attacker, { sub: 'admin' }, { jwk: await exportJWK(attacker.publicKey) }),
    'bad_signature',
  ],
  [
    'an x5c header with a made-up chain',
    () => mint(attacker, { sub: 'admin' }, { x5c: ['MIIBfake'] }),
    'bad_signature',
  ],
  [
    'a token signed by a key of the same kid that the JWKS does not hold',
    () => mint(attacker, { sub: 'admin' }),
    'bad_signature',
  ],
  ['a kid no key has', () => mint(es, {}, { kid: 'not-there' }), 'unknown_kid'],
  ['a path-traversal kid', () => mint(es, {}, { kid: '../../../../etc/passwd' }), 'unknown_kid'],
  ['an SQL-injection kid', () => mint(es, {}, { kid: "es' OR '1'='1" }), 'unknown_kid'],
  ['a kid with a NUL byte', () => mint(es, {}, { kid: 'es\u0000' }), 'unknown_kid'],
  ['a kid differing in case', () => mint(es, {}, { kid: 'ES' }), 'unknown_kid'],
  ['a kid with a leading space', () => mint(es, {}, { kid: ' es' }), 'unknown_kid'],
  ['a 4 KB kid', () => mint(es, {}, { kid: 'k'.repeat(4096) }), 'unknown_kid'],
  [
    'a kid that is a number',
    () => signRaw({ alg: 'ES256', kid: 1 }, claims(), es.privateKey),
    'unknown_kid',
  ],
  [
    'a kid that is an array',
    () => signRaw({ alg: 'ES256', kid: ['es'] }, claims(), es.privateKey),
    'unknown_kid',
  ],
  [
    'a kid that is an object',
    () => signRaw({ alg: 'ES256', kid: { kid: 'es' } }, claims(), es.privateKey),
    'unknown_kid',
  ],
  [
    'a kid that is null',
    () => signRaw({ alg: 'ES256', kid: null }, claims(), es.privateKey),
    'unknown_kid',
  ],
  [
    'an unknown crit header, though signed by the real key',
    () =>
      signRaw(
        { alg: 'ES256', kid: 'es', crit: ['x-keyway'], 'x-keyway': true },
        claims(),
        es.privateKey,
      ),
    'unknown_crit',
  ],
  [
    'crit naming a parameter that is absent',
    () => signRaw({ alg: 'ES256', kid: 'es', crit: ['exp'] }, claims(), es.privateKey),
    'unknown_crit',
  ],
  [
    'crit as an empty array',
    () => signRaw({ alg: 'ES256', kid: 'es', crit: [] }, claims(), es.privateKey),
    'unknown_crit',
  ],
  [
    'crit that is not an array',
    () => signRaw({ alg: 'ES256', kid: 'es', crit: 'b64' }, claims(), es.privateKey),
    'unknown_crit',
  ],
  [
    'b64: false (unencoded payload) with crit',
    () => signRaw({ alg: 'ES256', kid: 'es', b64: false, crit: ['b64'] }, claims(), es.privateKey),
    'malformed',
  ],
  [
    'a guest typ on a provider-issued token',
    () => mint(es, {}, { typ: 'keyway-anon+jwt' }),
    'anonymous_not_accepted',
  ],
  [
    'a signature from another provider key with this issuer',
    async () => mint(await providerKey('other')),
    'unknown_kid',
  ],
  [
    'a flipped signature byte',
    async () => {
      const [h, p, sig] = (await mint(es)).split('.')
      const bytes = base64url.decode(sig!)
      bytes[5]! ^= 0x01
      return `${h}.${p}.${base64url.encode(bytes)}`
    },
    'bad_signature',
  ],
  [
    'a truncated signature (32 of 64 bytes)',
    async () => {
      const [h, p, sig] = (await mint(es)).split('.')
      return `${h}.${p}.${base64url.encode(base64url.decode(sig!).slice(0, 32))}`
    },
    'bad_signature',
  ],
  [
    'a DER-encoded ECDSA signature instead of raw r||s',
    async () => {
      const [h, p, sig] = (await mint(es)).split('.')
      const raw = base64url.decode(sig!)
      const der = new Uint8Array([
        0x30,
        68,
        0x02,
        32,
        ...raw.slice(0, 32),
        0x02,
        32,
        ...raw.slice(32),
      ])
      return `${h}.${p}.${base64url.encode(der)}`
    },
    'bad_signature',
  ],
  [
    'an all-zero signature',
    async () => {
      const [h, p] = (await mint(es)).split('.')
      return `${h}.${p}.${base64url.encode(new Uint8Array(64))}`
    },
    'bad_signature',
  ],
  [
    'a payload swapped under a genuine signature',
    async () => {
      const genuine = await mint(es)
      return replacePart(genuine, 1, { ...decodePart(genuine, 1), sub: 'admin' })
    },
    'bad_signature',
  ],
  [
    'a header swapped under a genuine signature (typ added)',
    async () => replacePart(await mint(es), 0, { alg: 'ES256', kid: 'es', typ: 'JWT' }),
    'bad_signature',
  ],
  [
    'the signature of another genuine token',
    async () => {
      const [h, p] = (await mint(es, { sub: 'admin' })).split('.')
      return `${h}.${p}.${(await mint(es)).split('.')[2]}`
    },
    'bad_signature',
  ],
])

corpus('claims (RFC 8725 §3.8, §3.9)', [
  ['an expired token', () => mint(es, { iat: s() - 3600, exp: s() - 60 }), 'expired'],
  ['exp just past the tolerance', () => mint(es, { iat: s() - 300, exp: s() - 6 }), 'expired'],
  ['no exp', () => mint(es, { exp: undefined }), 'missing_claim'],
  ['exp as a string', () => mint(es, { exp: String(s() + 300) }), 'missing_claim'],
  [
    'exp as 1e400 (Infinity when parsed)',
    () =>
      signRaw(
        { alg: 'ES256', kid: 'es' },
        JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e400'),
        es.privateKey,
      ),
    'lifetime_too_long',
  ],
  ['exp a century ahead', () => mint(es, { exp: s() + 100 * 365 * 86_400 }), 'lifetime_too_long'],
  ['a lifetime one second over 24 h', () => mint(es, { exp: s() + 86_401 }), 'lifetime_too_long'],
  [
    'no iat and exp 25 h ahead',
    () => mint(es, { iat: undefined, exp: s() + 90_000 }),
    'lifetime_too_long',
  ],
  [
    'iat a year ahead',
    () => mint(es, { iat: s() + 365 * 86_400, exp: s() + 365 * 86_400 + 300 }),
    'issued_in_future',
  ],
  [
    'iat 6 s ahead (past the tolerance)',
    () => mint(es, { iat: s() + 6, exp: s() + 300 }),
    'issued_in_future',
  ],
  ['iat as a string', () => mint(es, { iat: String(s()) }), 'missing_claim'],
  ['nbf in the future', () => mint(es, { nbf: s() + 600 }), 'not_yet_valid'],
  ['nbf as a string', () => mint(es, { nbf: 'now' }), 'missing_claim'],
  ['a wrong issuer', () => mint(es, { iss: 'https://evil.test' }), 'unknown_issuer'],
  ['an issuer with a trailing slash', () => mint(es, { iss: `${ISSUER}/` }), 'unknown_issuer'],
  ['an issuer differing in case', () => mint(es, { iss: ISSUER.toUpperCase() }), 'unknown_issuer'],
  ['no issuer', () => mint(es, { iss: undefined }), 'unknown_issuer'],
  ['the issuer as an array', () => mint(es, { iss: [ISSUER] }), 'unknown_issuer'],
  [
    'the guest issuer on a provider-signed token',
    () => mint(es, { iss: 'urn:keyway:anonymous' }),
    'anonymous_not_accepted',
  ],
  ['a wrong audience', () => mint(es, { aud: 'another-api' }), 'bad_audience'],
  ['no audience where one is required', () => mint(es, { aud: undefined }), 'bad_audience'],
  ['an audience array without ours', () => mint(es, { aud: ['a', 'b'] }), 'bad_audience'],
  [
    'an audience differing in case',
    () => mint(es, { aud: AUDIENCE.toUpperCase() }),
    'bad_audience',
  ],
  ['no sub', () => mint(es, { sub: undefined }), 'missing_claim'],
  ['an empty sub', () => mint(es, { sub: '' }), 'missing_claim'],
  ['sub as a number', () => mint(es, { sub: 42 }), 'missing_claim'],
  [
    'a provider sub posing as a guest id (anon_…)',
    () => mint(es, { sub: 'anon_NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' }),
    'reserved_sub',
  ],
  [
    'a bare sub posing as another provider id (clerk:user_1)',
    () => mint(es, { sub: 'clerk:user_1' }),
    'reserved_sub',
  ],
  [
    'a payload that is a JSON array',
    () => signRaw({ alg: 'ES256', kid: 'es' }, '[1,2]', es.privateKey),
    'malformed',
  ],
  [
    'a payload that is JSON null',
    () => signRaw({ alg: 'ES256', kid: 'es' }, 'null', es.privateKey),
    'malformed',
  ],
  [
    'a payload that is not JSON',
    () => signRaw({ alg: 'ES256', kid: 'es' }, 'not json', es.privateKey),
    'malformed',
  ],
  ['a header that is not JSON', () => signRaw('{alg:ES256}', claims(), es.privateKey), 'malformed'],
  [
    'a header that is a JSON array',
    () => signRaw('["ES256"]', claims(), es.privateKey),
    'malformed',
  ],
])

corpus('encodings (canonical base64url, RFC 7515 §2)', [
  [
    'the signature with its spare bits set (same bytes, another string)',
    async () => spareBits(await mint(es), 2),
    'malformed',
  ],
  [
    'the header with its spare bits set',
    async () => {
      // A header whose base64url length leaves spare bits: pad the JSON until it does.
      for (let pad = 0; ; pad++) {
        const token = await signRaw(
          { alg: 'ES256', kid: 'es', x: 'p'.repeat(pad) },
          claims(),
          es.privateKey,
        )
        if (token.split('.')[0]!.length % 4 !== 0) return spareBits(token, 0)
      }
    },
    'malformed',
  ],
  [
    'the payload with its spare bits set',
    async () => {
      for (let pad = 0; ; pad++) {
        const token = await mint(es, { x: 'p'.repeat(pad) })
        if (token.split('.')[1]!.length % 4 !== 0) return spareBits(token, 1)
      }
    },
    'malformed',
  ],
  ['base64 padding (=) on the signature', async () => `${await mint(es)}==`, 'malformed'],
  [
    'standard base64 (+ and /) in the signature',
    async () => withChar(await mint(es), 2, 3, '+'),
    'malformed',
  ],
  ['a slash in the header', async () => withChar(await mint(es), 0, 2, '/'), 'malformed'],
  ['a space inside the payload', async () => withChar(await mint(es), 1, 4, ' '), 'malformed'],
  ['a newline inside the signature', async () => withChar(await mint(es), 2, 4, '\n'), 'malformed'],
  ['a leading space', async () => ` ${await mint(es)}`, 'malformed'],
  ['a trailing newline', async () => `${await mint(es)}\n`, 'malformed'],
  ['four segments', async () => `${await mint(es)}.AAAA`, 'malformed'],
  ['two segments', async () => (await mint(es)).split('.').slice(0, 2).join('.'), 'malformed'],
  [
    'an empty signature on ES256',
    async () => `${(await mint(es)).split('.').slice(0, 2).join('.')}.`,
    'bad_signature',
  ],
  [
    'an empty header',
    async () => `.${(await mint(es)).split('.').slice(1).join('.')}`,
    'malformed',
  ],
  [
    'an empty payload',
    async () => {
      const [h, , sig] = (await mint(es)).split('.')
      return `${h}..${sig}`
    },
    'malformed',
  ],
  ['a signature length of 4n+1 characters', async () => `${await mint(es)}AAA`, 'malformed'],
  [
    'a JWE (five segments)',
    () => 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.AAAA.AAAA',
    'malformed',
  ],
  [
    'a JSON-serialised JWS',
    async () => JSON.stringify({ payload: (await mint(es)).split('.')[1] }),
    'malformed',
  ],
  ['a token over 16 KiB', () => mint(es, { pad: 'x'.repeat(17_000) }), 'malformed'],
  ['the empty string', () => '', 'malformed'],
  ['a.b.c', () => 'a.b.c', 'malformed'],
  ['....', () => '....', 'malformed'],
  ['non-ASCII characters', async () => withChar(await mint(es), 1, 3, 'é'), 'malformed'],
])

describe('attack corpus: inputs that are not strings, and requests', () => {
  for (const value of [42, null, undefined, {}, ['a.b.c']])
    it(`verify(${JSON.stringify(value)}) → malformed`, async () => {
      await expect(verifier.verify(value as unknown as string)).rejects.toMatchObject({
        reason: 'malformed',
      })
    })
  for (const authorization of [
    undefined,
    'Basic dXNlcjpwYXNz',
    'Bearer',
    'Bearer a b',
    'Token abc',
  ])
    it(`Authorization: ${authorization ?? '(none)'} → no_token`, async () => {
      await expect(
        verifier.verifyRequest(
          new Request('http://api.test/', authorization ? { headers: { authorization } } : {}),
        ),
      ).rejects.toMatchObject({ reason: 'no_token' })
    })
  it('a guest token where guests are not accepted → anonymous_not_accepted', async () => {
    const guest = await guestDevice(clock.now)
    expect((await refusal(verifier, await guest.token(AUDIENCE))).reason).toBe(
      'anonymous_not_accepted',
    )
  })
  it('a self-signed keyway token claiming a provider user id → thumbprint_mismatch', async () => {
    const guest = await guestDevice(clock.now)
    const v = makeVerifier({ anonymous: { audience: AUDIENCE } })
    expect((await refusal(v, await guest.token(AUDIENCE, { sub: 'user_1' }))).reason).toBe(
      'thumbprint_mismatch',
    )
  })
  it('a link proof presented as a bearer token → wrong_type', async () => {
    const guest = await guestDevice(clock.now)
    const v = makeVerifier({ anonymous: { audience: AUDIENCE } })
    const proof = await guest.proof({ providerToken: 'x', nonce: 'n', audience: AUDIENCE })
    expect((await refusal(v, proof)).reason).toBe('wrong_type')
  })
  it('an RSA-signed token relabelled PS256 → alg_not_allowed on an RS256-only provider', async () => {
    const v = createVerifier({
      providers: [
        custom({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] }),
      ],
      now: clock.now,
    })
    const pair = await generateKeyPair('PS256')
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'PS256', kid: 'rsa' })
      .sign(pair.privateKey)
    expect((await refusal(v, token)).reason).toBe('alg_not_allowed')
  })
})
