import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusal, wallClock } from '../test/corpus.js'
import { type JwksServer, startJwksServer } from '../test/jwks-server.js'
import {
  type GuestDevice,
  guestDevice,
  type ProviderKey,
  providerKey,
  providerMinter,
  signRaw,
} from '../test/tokens.js'
import { createLinkHandler, type LinkHandler } from './link-handler.js'
import { custom } from './presets/index.js'
import type { LinkStore } from './stores/link-store.js'
import { memoryLinkStore } from './stores/memory.js'
import type { RejectionReason } from './verification-error.js'
import { createVerifier } from './verifier.js'

// The attack corpus, part 3: keyway guest tokens (self-signed with the device key they
// carry) and link proofs (through the link handler, as a client posts them).

const AUD = 'keyway-api'
const ISSUER = 'https://auth.keyway.test'
const LINK_AUD = 'https://api.keyway.test/link/link'
const clock = wallClock(Date.UTC(2026, 5, 1, 12))
const s = clock.sec
const linked = new Set<string>()
const guests = () =>
  createVerifier({
    providers: [],
    anonymous: { audience: AUD, isLinked: async (id) => linked.has(id) },
    now: clock.now,
  })
let guest: GuestDevice
let other: GuestDevice
let provider: ProviderKey
let jwks: JwksServer

beforeAll(async () => {
  guest = await guestDevice(clock.now)
  other = await guestDevice(clock.now)
  provider = await providerKey('p')
  jwks = await startJwksServer([provider.jwk])
})
afterAll(() => jwks.close())

const anonClaims = (extra: Record<string, unknown> = {}) => ({
  iss: 'urn:keyway:anonymous',
  sub: guest.id,
  aud: AUD,
  iat: s(),
  exp: s() + 600,
  jti: crypto.randomUUID(),
  ...extra,
})
const header = (extra: Record<string, unknown> = {}) => ({
  alg: 'ES256',
  typ: 'keyway-anon+jwt',
  jwk: guest.jwk,
  ...extra,
})
/** The guest's own key under another spelling, with `sub` its (lenient) thumbprint: the sibling-id attack. */
async function sibling(jwk: JWK) {
  const sub = `anon_${await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! })}`
  return signRaw(header({ jwk }), anonClaims({ sub }), guest.privateKey)
}
const setSpareBits = (coordinate: string) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  return coordinate.slice(0, -1) + alphabet[alphabet.indexOf(coordinate.at(-1)!) | 1]
}

type Case = [name: string, token: () => Promise<string> | string, reason: RejectionReason]

describe('positive controls: guest tokens verify', () => {
  it('a guest token: userId is anon_<thumbprint of the embedded key>', async () => {
    expect(await guests().verify(await guest.token(AUD))).toMatchObject({
      userId: guest.id,
      anonymous: true,
    })
  })
  it('the limits exactly: an hour of life, iat 60 s ahead', async () => {
    expect((await guests().verify(await guest.token(AUD, { exp: s() + 3600 }))).anonymous).toBe(
      true,
    )
    const iat = s() + 60
    expect((await guests().verify(await guest.token(AUD, { iat, exp: iat + 600 }))).anonymous).toBe(
      true,
    )
  })
})

describe('attack corpus: guest tokens', () => {
  const cases: Case[] = [
    [
      'a sub that is not the thumbprint of the embedded key',
      () => other.token(AUD, { sub: guest.id }),
      'thumbprint_mismatch',
    ],
    [
      'a sub with a trailing space',
      () => guest.token(AUD, { sub: `${guest.id} ` }),
      'thumbprint_mismatch',
    ],
    [
      'signed by another key than the embedded one',
      () => guest.token(AUD, {}, {}, other.privateKey),
      'bad_signature',
    ],
    [
      'living longer than an hour',
      () => guest.token(AUD, { exp: s() + 3601 }),
      'lifetime_too_long',
    ],
    [
      'exp as 1e400',
      () =>
        signRaw(
          header(),
          JSON.stringify(anonClaims()).replace(/"exp":\d+/, '"exp":1e400'),
          guest.privateKey,
        ),
      'lifetime_too_long',
    ],
    [
      'issued more than 60 s in the future',
      () => guest.token(AUD, { iat: s() + 61, exp: s() + 661 }),
      'issued_in_future',
    ],
    [
      'without iat (a missing claim, not a future one)',
      () => signRaw(header(), anonClaims({ iat: undefined }), guest.privateKey),
      'missing_claim',
    ],
    [
      'iat as a string',
      () => signRaw(header(), anonClaims({ iat: String(s()) }), guest.privateKey),
      'missing_claim',
    ],
    [
      'a payload that is not JSON (found by the byte fuzzer)',
      () => signRaw(header(), '{"sub":', guest.privateKey),
      'malformed',
    ],
    [
      'without exp',
      () => signRaw(header(), anonClaims({ exp: undefined }), guest.privateKey),
      'missing_claim',
    ],
    ['expired', () => guest.token(AUD, { iat: s() - 700, exp: s() - 100 }), 'expired'],
    ['for another audience', () => guest.token('other-api'), 'bad_audience'],
    [
      'without audience',
      () => signRaw(header(), anonClaims({ aud: undefined }), guest.privateKey),
      'bad_audience',
    ],
    [
      'a private key embedded',
      async () => {
        const pair = await generateKeyPair('ES256', { extractable: true })
        return guest.token(AUD, {}, { jwk: await exportJWK(pair.privateKey) }, pair.privateKey)
      },
      'malformed',
    ],
    [
      'an RSA key embedded, RS256',
      async () => {
        const pair = await generateKeyPair('RS256', { extractable: true })
        return new SignJWT(anonClaims())
          .setProtectedHeader({
            alg: 'RS256',
            typ: 'keyway-anon+jwt',
            jwk: await exportJWK(pair.publicKey),
          })
          .sign(pair.privateKey)
      },
      'alg_not_allowed',
    ],
    [
      'alg ES384 on the P-256 key',
      () => signRaw(header({ alg: 'ES384' }), anonClaims(), guest.privateKey),
      'alg_not_allowed',
    ],
    [
      'alg none',
      () =>
        `${base64url.encode(JSON.stringify(header({ alg: 'none' })))}.${base64url.encode(JSON.stringify(anonClaims()))}.`,
      'alg_not_allowed',
    ],
    ['the guest issuer with typ JWT', () => guest.token(AUD, {}, { typ: 'JWT' }), 'wrong_type'],
    ['the guest issuer without typ', () => guest.token(AUD, {}, { typ: undefined }), 'wrong_type'],
    [
      'the guest typ with a provider issuer',
      () => guest.token(AUD, { iss: 'https://evil.test' }),
      'unknown_issuer',
    ],
    ['no jwk in the header', () => guest.token(AUD, {}, { jwk: undefined }), 'malformed'],
    [
      'jwk as a string',
      () => guest.token(AUD, {}, { jwk: JSON.stringify(guest.jwk) }),
      'malformed',
    ],
    [
      'jwk of type RSA with ES256',
      () => guest.token(AUD, {}, { jwk: { ...guest.jwk, kty: 'RSA' } }),
      'malformed',
    ],
    [
      'jwk on curve P-384',
      () => guest.token(AUD, {}, { jwk: { ...guest.jwk, crv: 'P-384' } }),
      'malformed',
    ],
    [
      'a point that is not on the curve',
      async () => {
        const jwk = { ...guest.jwk, x: base64url.encode(new Uint8Array(32).fill(7)) }
        return signRaw(
          header({ jwk }),
          anonClaims({ sub: `anon_${await calculateJwkThumbprint(jwk as JWK)}` }),
          guest.privateKey,
        )
      },
      'malformed',
    ],
    [
      'the same device key with base64 padding on x (sibling id)',
      () => sibling({ ...guest.jwk, x: `${guest.jwk.x}=` }),
      'malformed',
    ],
    [
      'the same device key with whitespace in x (sibling id)',
      () => sibling({ ...guest.jwk, x: ` ${guest.jwk.x}` }),
      'malformed',
    ],
    [
      'the same device key with a zero-padded x (sibling id)',
      () =>
        sibling({
          ...guest.jwk,
          x: base64url.encode(new Uint8Array([0, ...base64url.decode(guest.jwk.x!)])),
        }),
      'malformed',
    ],
    [
      'the same device key with spare bits set in x (sibling id)',
      () => sibling({ ...guest.jwk, x: setSpareBits(guest.jwk.x!) }),
      'malformed',
    ],
    [
      'the same device key with spare bits set in y (sibling id)',
      () => sibling({ ...guest.jwk, y: setSpareBits(guest.jwk.y!) }),
      'malformed',
    ],
    [
      'x one character short',
      () => sibling({ ...guest.jwk, x: guest.jwk.x!.slice(0, 42) }),
      'malformed',
    ],
    [
      'a guest token with its signature spare bits set',
      async () => {
        const token = await guest.token(AUD)
        return setSpareBits(token)
      },
      'malformed',
    ],
  ]
  for (const [name, make, reason] of cases)
    it(`${name} → ${reason}`, async () => {
      expect((await refusal(guests(), await make())).reason).toBe(reason)
    })

  it('a guest whose identity was linked → anonymous_not_accepted, and no sibling spelling gets around it', async () => {
    const device = await guestDevice(clock.now)
    const token = await device.token(AUD)
    expect((await guests().verify(token)).userId).toBe(device.id)
    linked.add(device.id)
    expect((await refusal(guests(), token)).reason).toBe('anonymous_not_accepted')
    const padded = {
      ...device.jwk,
      x: base64url.encode(new Uint8Array([0, ...base64url.decode(device.jwk.x!)])),
    }
    const sub = `anon_${await calculateJwkThumbprint(padded as JWK)}`
    const forged = await signRaw(
      { alg: 'ES256', typ: 'keyway-anon+jwt', jwk: padded },
      { ...anonClaims(), sub },
      device.privateKey,
    )
    expect((await refusal(guests(), forged)).reason).toBe('malformed')
  })
})

describe('attack corpus: link proofs', () => {
  const mintProvider = providerMinter({ issuer: ISSUER, now: clock.now })
  const providerToken = (sub = 'user_ada') => mintProvider(provider, { sub, exp: s() + 3600 })
  function setup(store: LinkStore = memoryLinkStore(), challengeSecret?: string) {
    const verifier = createVerifier({
      providers: [custom({ jwksUrl: jwks.url, issuer: ISSUER })],
      anonymous: { audience: AUD },
      now: clock.now,
    })
    const links = createLinkHandler({
      verifier,
      store,
      linkAudience: LINK_AUD,
      now: clock.now,
      challengeSecret,
    })
    return links
  }
  async function post(links: LinkHandler, body: unknown, init: RequestInit = {}) {
    const response = await links.handle(
      new Request('https://api.keyway.test/link/link', {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...init,
      }),
    )
    return { status: response.status, ...((await response.json()) as { error?: string }) }
  }
  async function body(
    links: LinkHandler,
    claims: Record<string, unknown> = {},
    head: Record<string, unknown> = {},
    opts: { device?: GuestDevice; token?: string; nonce?: string; key?: CryptoKey } = {},
  ) {
    const token = opts.token ?? (await providerToken())
    const nonce = opts.nonce ?? (await links.challenge()).nonce
    const device = opts.device ?? (await guestDevice(clock.now))
    const proof = await device.proof(
      { providerToken: token, nonce, audience: LINK_AUD },
      claims,
      head,
      opts.key,
    )
    return { providerToken: token, proof }
  }
  const refused = async (links: LinkHandler, b: unknown, status: number, error: string) =>
    expect(await post(links, b)).toEqual({ status, error })

  it('positive control: a genuine proof links (200 promoted)', async () => {
    const links = setup()
    expect(await post(links, await body(links))).toMatchObject({ status: 200 })
  })

  const cases: Array<[string, (links: LinkHandler) => Promise<unknown>, number, string]> = [
    [
      'a forged nonce (random text)',
      (l) => body(l, {}, {}, { nonce: 'deadbeef'.repeat(8) }),
      401,
      'nonce_unknown',
    ],
    [
      'a nonce signed under another key (another fleet)',
      async (l) =>
        body(
          l,
          {},
          {},
          { nonce: (await setup(memoryLinkStore(), 'x'.repeat(32)).challenge()).nonce },
        ),
      401,
      'nonce_unknown',
    ],
    [
      'a nonce whose expiry was edited',
      async (l) => {
        const [exp, rest, mac] = (await l.challenge()).nonce.split('.')
        return body(
          l,
          {},
          {},
          { nonce: `${(Number.parseInt(exp!, 36) + 3_600_000).toString(36)}.${rest}.${mac}` },
        )
      },
      401,
      'nonce_unknown',
    ],
    [
      'a nonce whose MAC is spelled with spare bits set',
      async (l) => body(l, {}, {}, { nonce: setSpareBits((await l.challenge()).nonce) }),
      401,
      'nonce_unknown',
    ],
    [
      'a proof for another endpoint',
      (l) => body(l, { aud: 'https://evil.test/link' }),
      401,
      'bad_proof',
    ],
    [
      'a proof with the guest-token typ',
      (l) => body(l, {}, { typ: 'keyway-anon+jwt' }),
      401,
      'bad_proof',
    ],
    [
      'a proof past its two minutes',
      (l) => body(l, { iat: s() - 300, exp: s() - 180 }),
      401,
      'proof_expired',
    ],
    ['a proof living five minutes', (l) => body(l, { exp: s() + 300 }), 401, 'bad_proof'],
    ['a proof issued ahead', (l) => body(l, { iat: s() + 120, exp: s() + 240 }), 401, 'bad_proof'],
    ['a proof without nonce', (l) => body(l, { nonce: undefined }), 401, 'bad_proof'],
    ['a proof without jti', (l) => body(l, { jti: undefined }), 401, 'bad_proof'],
    ['a proof without pth', (l) => body(l, { pth: undefined }), 401, 'bad_proof'],
    [
      'a proof for another provider token (pth)',
      async (l) => ({ ...(await body(l)), providerToken: await providerToken('user_eve') }),
      401,
      'pth_mismatch',
    ],
    [
      'a proof signed by another key than the one it carries',
      (l) => body(l, {}, {}, { key: guest.privateKey }),
      401,
      'bad_proof',
    ],
    ['a proof naming another guest', (l) => body(l, { sub: guest.id }), 401, 'thumbprint_mismatch'],
    [
      'a proof with its signature spare bits set',
      async (l) => {
        const b = await body(l)
        return { ...b, proof: setSpareBits(b.proof) }
      },
      401,
      'bad_proof',
    ],
    [
      'a proof carrying a zero-padded key',
      async (l) => {
        const device = await guestDevice(clock.now)
        const jwk = {
          ...device.jwk,
          x: base64url.encode(new Uint8Array([0, ...base64url.decode(device.jwk.x!)])),
        }
        return body(
          l,
          { sub: `anon_${await calculateJwkThumbprint(jwk as JWK)}` },
          { jwk },
          { device },
        )
      },
      401,
      'bad_proof',
    ],
    [
      'a provider token that does not verify',
      async (l) => body(l, {}, {}, { token: `${await providerToken()}x` }),
      401,
      'provider_token_invalid',
    ],
    [
      'a guest token as the provider token',
      async (l) => body(l, {}, {}, { token: await guest.token(AUD) }),
      400,
      'anonymous_provider_token',
    ],
    ['a body that is not JSON', async () => 'not json', 400, 'bad_request'],
    ['a body without proof', async () => ({ providerToken: 'x' }), 400, 'bad_request'],
  ]
  for (const [name, make, status, error] of cases)
    it(`${name} → ${status} ${error}`, async () => {
      const links = setup()
      await refused(links, await make(links), status, error)
    })

  it('the same proof twice → 401 replayed', async () => {
    const links = setup()
    const b = await body(links)
    expect((await post(links, b)).status).toBe(200)
    await refused(links, b, 401, 'replayed')
  })

  it('one nonce under a fresh proof id → 401 nonce_unknown', async () => {
    const links = setup()
    const nonce = (await links.challenge()).nonce
    const device = await guestDevice(clock.now)
    expect((await post(links, await body(links, {}, {}, { nonce, device }))).status).toBe(200)
    await refused(links, await body(links, {}, {}, { nonce, device }), 401, 'nonce_unknown')
  })

  it('a nonce older than two minutes → 401 nonce_expired', async () => {
    const links = setup()
    const nonce = (await links.challenge()).nonce
    clock.ms += 121_000
    await refused(links, await body(links, {}, {}, { nonce }), 401, 'nonce_expired')
  })

  it('one proof raced ten times → exactly one 200, the rest 401 replayed', async () => {
    const links = setup()
    const b = await body(links)
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(links, b)))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1)
    expect(new Set(answers.filter((a) => a.status !== 200).map((a) => a.error))).toEqual(
      new Set(['replayed']),
    )
  })

  it('one guest raced to two accounts → one 200, the other 409 already_linked', async () => {
    const links = setup()
    const device = await guestDevice(clock.now)
    const [a, b] = await Promise.all([
      body(links, {}, {}, { device, token: await providerToken('user_a') }),
      body(links, {}, {}, { device, token: await providerToken('user_b') }),
    ])
    const answers = await Promise.all([post(links, a), post(links, b)])
    expect(answers.map((x) => x.status).sort()).toEqual([200, 409])
    expect(answers.find((x) => x.status === 409)?.error).toBe('already_linked')
  })

  it('a declared body over 64 KiB → 413 body_too_large, unread', async () => {
    const links = setup()
    const big = 'x'.repeat(70_000)
    let pulled = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new TextEncoder().encode(big))
      },
    })
    const init = {
      headers: { 'content-length': String(10 * 1024 * 1024) },
      duplex: 'half',
    } as RequestInit
    expect(await post(links, stream as never, { ...init, body: stream })).toEqual({
      status: 413,
      error: 'body_too_large',
    })
    expect(pulled).toBeLessThanOrEqual(1)
  })

  it('an undeclared streamed body is read only up to 64 KiB → 413 body_too_large', async () => {
    const links = setup()
    let pulled = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x20))
      },
    })
    const init = { duplex: 'half', body: stream } as RequestInit
    expect(await post(links, stream as never, init)).toEqual({
      status: 413,
      error: 'body_too_large',
    })
    expect(pulled).toBeLessThanOrEqual(6) // 5 chunks pass 64 KiB; the stream is cancelled there
  })

  it('nonce flooding: 10,000 challenges and 100 junk link attempts write nothing to the store', async () => {
    const store = memoryLinkStore()
    let writes = 0
    const counted =
      <A extends unknown[], R>(write: (...args: A) => R) =>
      (...args: A) => {
        writes++
        return write(...args)
      }
    const counting: LinkStore = {
      ...store,
      consumeNonce: counted(store.consumeNonce),
      consumeJti: counted(store.consumeJti),
      putLink: counted(store.putLink),
    }
    const links = setup(counting)
    for (let i = 0; i < 10_000; i++) await links.challenge()
    for (let i = 0; i < 100; i++) await post(links, await body(links, { aud: 'elsewhere' }))
    expect(writes).toBe(0)
  })
})
