import { createHmac } from 'node:crypto'
import { isKeywayError } from '@keyway/core'
import { createVerifier, custom, type VerificationError, type Verifier } from '@keyway/server'
import fc from 'fast-check'
import { base64url, exportSPKI } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from '../../packages/server/test/jwks-server.js'
import {
  guestDevice,
  type ProviderKey,
  providerKey,
  providerMinter,
  signRaw,
} from '../../packages/server/test/tokens.js'
import { count, executed, FUZZ_RUNS, FUZZ_TIMEOUT_MS, fuzzParameters } from './runs.js'

// The server verifier (createVerifier + custom preset, keys from a real JWKS endpoint on
// loopback) never accepts a mutated token: bit flips in any part, alg swaps, kid tricks and
// header parameters that name other keys. Every mutation is refused with a coded, final
// VerificationError; the original verifies.

const ISSUER = 'https://issuer.keyway.test'
const AUDIENCE = 'keyway-fuzz'
const NOW = Date.UTC(2026, 5, 1, 12)

let good: ProviderKey // signs the original
let other: ProviderKey // a second key in the same JWKS
let rsa: ProviderKey // an RSA key in the same JWKS
let attacker: ProviderKey // not in the JWKS
let jwks: JwksServer
let attackerJwks: JwksServer
let verifier: Verifier
let original: string
let originalRs: string
let guestToken: string
let guestVerifier: Verifier
let publicPem: string

beforeAll(async () => {
  good = await providerKey('good')
  other = await providerKey('other')
  rsa = await providerKey('rsa', 'RS256')
  attacker = await providerKey('good') // same kid as the real key
  jwks = await startJwksServer([good.jwk, other.jwk, rsa.jwk])
  attackerJwks = await startJwksServer([attacker.jwk])
  verifier = createVerifier({
    providers: [custom({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE })],
    now: () => NOW,
  })
  original = await providerMinter({ issuer: ISSUER, audience: AUDIENCE, now: () => NOW })(good, {
    sub: 'user_1',
    role: 'authenticated',
  })
  originalRs = await providerMinter({ issuer: ISSUER, audience: AUDIENCE, now: () => NOW })(rsa, {
    sub: 'user_2',
  })
  const guest = await guestDevice(() => NOW)
  guestToken = await guest.token(AUDIENCE)
  guestVerifier = createVerifier({
    providers: [],
    anonymous: { audience: AUDIENCE },
    now: () => NOW,
  })
  publicPem = await exportSPKI(good.publicKey)
})
afterAll(async () => {
  console.info(`[fuzz] verifier cases: ${JSON.stringify(executed)}`)
  await jwks.close()
  await attackerJwks.close()
})

const [H, P, S] = [0, 1, 2] as const
const parts = (token: string) => token.split('.') as [string, string, string]
const json = (part: string) => JSON.parse(new TextDecoder().decode(base64url.decode(part)))
const enc = (value: unknown) => base64url.encode(JSON.stringify(value))

/** Flips one bit of the decoded bytes of a part and re-encodes it canonically. */
function flipBit(token: string, index: 0 | 1 | 2, bit: number): string {
  const p = parts(token)
  const bytes = base64url.decode(p[index])
  const at = bit % (bytes.length * 8)
  bytes[at >> 3]! ^= 1 << (at & 7)
  p[index] = base64url.encode(bytes)
  return p.join('.')
}

function withHeader(token: string, header: Record<string, unknown>, signature?: string): string {
  const p = parts(token)
  return `${enc(header)}.${p[P]}.${signature ?? p[S]}`
}

function hs256(input: string, secret: string | Uint8Array): string {
  return base64url.encode(createHmac('sha256', secret).update(input).digest())
}

async function refused(token: string): Promise<void> {
  const result = await verifier.verify(token).then(
    (v) => ({ accepted: v }),
    (e: unknown) => ({ error: e as VerificationError }),
  )
  expect('accepted' in result, `a mutated token was accepted: ${token}`).toBe(false)
  const { error } = result as { error: VerificationError }
  expect(isKeywayError(error), String(error)).toBe(true)
  expect(['ERR_INVALID_TOKEN', 'ERR_TOKEN_EXPIRED']).toContain(error.code)
  expect(typeof error.reason).toBe('string')
  expect(error.transient).toBe(false)
}

/** One mutation of the original: a name (for the counts) and the token it makes. */
type Mutation = fc.Arbitrary<{ kind: string; make: () => Promise<string> | string }>

const bitFlips: Mutation = fc.tuple(fc.constantFrom(H, P, S), fc.nat()).map(([index, bit]) => ({
  kind: `bit flip in ${['header', 'payload', 'signature'][index]}`,
  make: () => flipBit(original, index, bit),
}))

const ALGS = [
  'none',
  'None',
  'NONE',
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'ES384',
  'ES512',
  'PS256',
  'EdDSA',
  'ES256K',
  '',
]
const algSwaps: Mutation = fc
  .tuple(
    fc.constantFrom(...ALGS),
    fc.constantFrom('keep', 'empty', 'hmac-pem', 'hmac-jwk', 'hmac-x'),
  )
  .map(([alg, signature]) => ({
    kind: `alg ${alg || '(empty)'} / ${signature}`,
    make: () => {
      const header = { ...json(parts(original)[H]), alg }
      const input = `${enc(header)}.${parts(original)[P]}`
      const sig =
        signature === 'keep'
          ? parts(original)[S]
          : signature === 'empty'
            ? ''
            : signature === 'hmac-pem'
              ? hs256(input, publicPem)
              : signature === 'hmac-jwk'
                ? hs256(input, JSON.stringify(good.jwk))
                : hs256(input, base64url.decode(good.jwk.x!))
      return `${input}.${sig}`
    },
  }))

const kids = fc.oneof(
  fc.constantFrom(
    'other',
    'rsa',
    'unknown',
    '../../../../etc/passwd',
    '../good',
    'good/../other',
    '',
    ' good',
    'GOOD',
    'good\u0000',
  ),
  fc.string(),
  fc.constantFrom(null, 0, true, ['good'], { kid: 'good' }),
)
const kidTricks: Mutation = fc
  .tuple(kids, fc.constantFrom('keep', 'attacker', 'other'))
  .map(([kid, signer]) => ({
    kind: `kid trick / ${signer}`,
    make: async () => {
      const header = { ...json(parts(original)[H]), kid }
      if (signer === 'keep') return withHeader(original, header)
      const key = signer === 'attacker' ? attacker : other
      if (signer === 'other' && kid === 'other') return withHeader(original, header) // would be valid
      return signRaw(header, json(parts(original)[P]), key.privateKey)
    },
  }))

const injections: Mutation = fc
  .tuple(
    fc.subarray(['jku', 'x5u', 'jwk', 'x5c'] as const, { minLength: 1 }),
    fc.constantFrom('good', 'attacker-kid', undefined),
  )
  .map(([params, kid]) => ({
    kind: `header injection ${params.join('+')}`,
    make: async () => {
      const header: Record<string, unknown> = { alg: 'ES256', typ: 'JWT' }
      if (kid === 'good') header.kid = 'good'
      if (kid === 'attacker-kid') header.kid = 'attacker'
      if (params.includes('jku')) header.jku = attackerJwks.url
      if (params.includes('x5u')) header.x5u = attackerJwks.url
      if (params.includes('jwk')) header.jwk = { ...attacker.jwk, kid: undefined }
      if (params.includes('x5c')) header.x5c = ['MIIBfake']
      // Signed by the attacker's key, which only the injected parameters name.
      return signRaw(header, json(parts(original)[P]), attacker.privateKey)
    },
  }))

const claimEdits: Mutation = fc
  .record(
    {
      sub: fc.string(),
      exp: fc.integer(),
      iss: fc.constantFrom(ISSUER, 'https://evil.test'),
      aud: fc.constantFrom(AUDIENCE, 'other'),
      admin: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  .filter((edit) => Object.keys(edit).length > 0)
  .map((edit) => ({
    kind: 'claims edited, signature kept',
    make: () => {
      const p = parts(original)
      return `${p[H]}.${enc({ ...json(p[P]), ...edit })}.${p[S]}`
    },
  }))

/**
 * One byte of a valid token's text replaced, inserted or deleted. Every such token is
 * refused with a code, or (were the mutation to land where nothing is signed) verifies to
 * exactly the claims of the original: never to anything else.
 */
const byteMutations = fc
  .tuple(
    fc.constantFrom('ES256 provider', 'RS256 provider', 'guest'),
    fc.constantFrom('replace', 'insert', 'delete'),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
  )
  .map(([which, op, at, byte]) => ({ which, op, at, byte }))

function mutate(token: string, op: string, at: number, byte: number): string {
  const i = at % (token.length + (op === 'insert' ? 1 : 0))
  const char = String.fromCharCode(byte)
  if (op === 'insert') return token.slice(0, i) + char + token.slice(i)
  if (op === 'delete') return token.slice(0, i) + token.slice(i + 1)
  return token.slice(0, i) + char + token.slice(i + 1)
}

describe('fuzz: every byte mutation of a valid token is refused with a code, or verifies to the same claims', () => {
  it(`byte-by-byte mutations of ES256, RS256 and guest tokens (${FUZZ_RUNS} runs)`, {
    timeout: FUZZ_TIMEOUT_MS,
  }, async () => {
    const originals = {
      'ES256 provider': { token: () => original, verifier: () => verifier },
      'RS256 provider': { token: () => originalRs, verifier: () => verifier },
      guest: { token: () => guestToken, verifier: () => guestVerifier },
    }
    const expected = {
      'ES256 provider': (await verifier.verify(original)).claims,
      'RS256 provider': (await verifier.verify(originalRs)).claims,
      guest: (await guestVerifier.verify(guestToken)).claims,
    }
    let same = 0
    await fc.assert(
      fc.asyncProperty(byteMutations, async ({ which, op, at, byte }) => {
        const source = originals[which as keyof typeof originals]
        const token = mutate(source.token(), op, at, byte)
        fc.pre(token !== source.token())
        count('byte mutations')
        const result = await source
          .verifier()
          .verify(token)
          .then(
            (v) => ({ claims: v.claims }),
            (e: unknown) => ({ error: e as VerificationError }),
          )
        if ('claims' in result) {
          same++
          expect(result.claims).toEqual(expected[which as keyof typeof expected])
          return
        }
        expect(isKeywayError(result.error), String(result.error)).toBe(true)
        expect(['ERR_INVALID_TOKEN', 'ERR_TOKEN_EXPIRED']).toContain(result.error.code)
        expect(typeof result.error.reason).toBe('string')
      }),
      fuzzParameters,
    )
    console.info(`[fuzz] byte mutations that still verified (to the same claims): ${same}`)
  })
})

describe('fuzz: the server verifier never accepts a mutated token', () => {
  it('the original verifies', async () => {
    const verified = await verifier.verify(original)
    expect(verified).toMatchObject({ userId: 'user_1', anonymous: false })
    expect(verified.claims.role).toBe('authenticated')
  })

  const properties: Array<[string, Mutation]> = [
    ['bit flips in signature, header or payload', bitFlips],
    ['alg swaps (none, HS256 with the public key as secret, other labels on ES256)', algSwaps],
    ['kid tricks (unknown, path traversal, another key)', kidTricks],
    ['jku / x5u / jwk / x5c header injection', injections],
    ['claims edited under the original signature', claimEdits],
  ]
  for (const [name, mutation] of properties)
    it(`${name} (${FUZZ_RUNS} runs)`, { timeout: FUZZ_TIMEOUT_MS }, async () => {
      await fc.assert(
        fc.asyncProperty(mutation, async ({ make }) => {
          const token = await make()
          fc.pre(token !== original) // an edit that changed nothing is no mutation
          count(name.replace(/ \(.*/, ''))
          await refused(token)
        }),
        fuzzParameters,
      )
      // The original still verifies after the storm (no key was dropped or swapped).
      expect((await verifier.verify(original)).userId).toBe('user_1')
    })
})
