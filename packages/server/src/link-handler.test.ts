import { anonymousIdentity, memoryDeviceKeyStore } from '@keyway/core/anonymous'
import { createTestPlatform } from '@keyway/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from '../test/jwks-server.js'
import {
  decodePart,
  type GuestDevice,
  guestDevice,
  type ProviderKey,
  providerKey,
  providerMinter,
} from '../test/tokens.js'
import { anonymousIdFromJwk } from './anonymous.js'
import { createLinkHandler, type LinkEvent } from './link-handler.js'
import { custom } from './presets/index.js'
import type { LinkStore } from './stores/link-store.js'
import { memoryLinkStore } from './stores/memory.js'
import { createVerifier } from './verifier.js'

// Guests and proofs are minted here with jose in the design.md format (test/tokens.ts);
// one test at the end runs @keyway/core's real client against the handler.

const ISSUER = 'https://auth.keyway.test'
const LINK_AUD = 'https://api.keyway.test/link/link'
const t = createTestPlatform({ startWall: Date.UTC(2026, 5, 1, 12) })
const now = t.clock.wallNow
const mintProvider = providerMinter({ issuer: ISSUER, now })
let key: ProviderKey
let jwks: JwksServer

beforeAll(async () => {
  key = await providerKey('p')
  jwks = await startJwksServer([key.jwk])
})
afterAll(() => jwks.close())

/** A provider token for `sub`, valid an hour on the fake clock. */
const providerToken = (sub: string) => mintProvider(key, { sub, exp: now() / 1000 + 3600 })

function setup(
  options: {
    store?: LinkStore
    accountExists?: (id: string) => Promise<boolean>
    jwksUrl?: string
  } = {},
) {
  const verifier = createVerifier({
    providers: [custom({ jwksUrl: options.jwksUrl ?? jwks.url, issuer: ISSUER })],
    anonymous: { audience: 'api' },
    now,
  })
  const events: LinkEvent[] = []
  const links = createLinkHandler({
    verifier,
    store: options.store ?? memoryLinkStore(),
    linkAudience: LINK_AUD,
    now,
    accountExists: options.accountExists,
    onLink: async (e) => {
      events.push(e)
    },
  })

  /** A fresh challenge and a genuine proof for `token` by `guest`. */
  async function attempt(guest: GuestDevice, token: string) {
    const { nonce } = await links.challenge()
    return {
      providerToken: token,
      proof: await guest.proof({ providerToken: token, nonce, audience: LINK_AUD }),
      nonce,
    }
  }

  /** Posts through the Fetch handler, as a client would. */
  async function post(body: unknown, path = '/link/link', method = 'POST') {
    const response = await links.handle(
      new Request(`https://api.keyway.test${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'POST'
          ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
          : {}),
      }),
    )
    return { status: response.status, ...((await response.json()) as Record<string, unknown>) } as {
      status: number
      [field: string]: unknown
    }
  }
  return { links, events, attempt, post }
}

describe('link handler: outcomes', () => {
  it('promotes a new account, answers the same for the same pair, and runs the merge hook each time', async () => {
    const { links, events, attempt } = setup()
    const guest = await guestDevice(now)
    const token = await providerToken('user_ada')
    const first = await links.link(await attempt(guest, token))
    expect(first).toEqual({ anonymousId: guest.id, userId: 'user_ada', outcome: 'promoted' })
    expect(await links.link(await attempt(guest, token))).toEqual(first)
    expect(events).toEqual([first, first])
    expect(await links.isLinked(guest.id)).toBe(true)
  })

  it('links to an account that has data as an alias (linked_existing)', async () => {
    const { links, attempt } = setup({ accountExists: async (id) => id === 'user_old' })
    const guest = await guestDevice(now)
    const result = await links.link(await attempt(guest, await providerToken('user_old')))
    expect(result.outcome).toBe('linked_existing')
  })

  it("a second guest of an account the store knows links as existing; both are the account's aliases", async () => {
    const store = memoryLinkStore()
    const { links, attempt } = setup({ store })
    const [phone, laptop] = [await guestDevice(now), await guestDevice(now)]
    const token = await providerToken('user_bo')
    expect((await links.link(await attempt(phone, token))).outcome).toBe('promoted')
    expect((await links.link(await attempt(laptop, token))).outcome).toBe('linked_existing')
    expect(await store.aliasesOf('user_bo')).toEqual([phone.id, laptop.id])
  })

  it('a guest linked to one account cannot be linked to another: 409 already_linked', async () => {
    const { links, attempt, post } = setup()
    const guest = await guestDevice(now)
    await links.link(await attempt(guest, await providerToken('user_ada')))
    expect(await post(await attempt(guest, await providerToken('user_eve')))).toEqual({
      status: 409,
      error: 'already_linked',
    })
  })

  it("matches @keyway/core's client: its guest id is the server's thumbprint id, and its proof links", async () => {
    const { links } = setup()
    const identity = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore(), now })
    const id = await identity.getId()
    const { token } = (await identity.fetchCredentials({
      forceRefresh: false,
      reason: 'initial',
      signal: new AbortController().signal,
    }))!
    expect(await anonymousIdFromJwk(decodePart(token, 0).jwk as never)).toBe(id)
    const providerJwt = await providerToken('user_core')
    const { nonce } = await links.challenge()
    const proof = await identity.createLinkProof({
      providerToken: providerJwt,
      nonce,
      audience: LINK_AUD,
    })
    expect(await links.link({ providerToken: providerJwt, proof })).toEqual({
      anonymousId: id,
      userId: 'user_core',
      outcome: 'promoted',
    })
  })
})

describe('link handler: refusals, each with its own reason', () => {
  it('the same proof twice: replayed', async () => {
    const { attempt, post } = setup()
    const body = await attempt(await guestDevice(now), await providerToken('user_ada'))
    expect(await post(body)).toMatchObject({ status: 200, outcome: 'promoted' })
    expect(await post(body)).toEqual({ status: 401, error: 'replayed' })
  })

  it('the same proof raced twice: exactly one wins', async () => {
    const { attempt, post } = setup()
    const body = await attempt(await guestDevice(now), await providerToken('user_ada'))
    const answers = await Promise.all([post(body), post(body)])
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401])
  })

  it('a proof made for another provider token: pth_mismatch, and the nonce survives for the real request', async () => {
    const { attempt, post } = setup()
    const body = await attempt(await guestDevice(now), await providerToken('user_ada'))
    expect(await post({ ...body, providerToken: await providerToken('user_eve') })).toEqual({
      status: 401,
      error: 'pth_mismatch',
    })
    // A refused request consumes neither nonce nor jti: the genuine one still goes through.
    expect(await post(body)).toMatchObject({ status: 200, userId: 'user_ada' })
  })

  it('a nonce older than two minutes: nonce_expired (the proof itself fresh)', async () => {
    const { links, post } = setup()
    const guest = await guestDevice(now)
    const token = await providerToken('user_ada')
    const { nonce } = await links.challenge()
    await t.clock.advance(121_000)
    const proof = await guest.proof({ providerToken: token, nonce, audience: LINK_AUD })
    expect(await post({ providerToken: token, proof })).toEqual({
      status: 401,
      error: 'nonce_expired',
    })
    const inTime = (await links.challenge()).nonce
    await t.clock.advance(119_000)
    const ok = await guest.proof({ providerToken: token, nonce: inTime, audience: LINK_AUD })
    expect(await post({ providerToken: token, proof: ok })).toMatchObject({ status: 200 })
  })

  it('a nonce never issued, or already used: nonce_unknown', async () => {
    const { links, post } = setup()
    const guest = await guestDevice(now)
    const token = await providerToken('user_ada')
    const made = await guest.proof({
      providerToken: token,
      nonce: 'never-issued',
      audience: LINK_AUD,
    })
    expect(await post({ providerToken: token, proof: made })).toEqual({
      status: 401,
      error: 'nonce_unknown',
    })
    const { nonce } = await links.challenge()
    const first = await guest.proof({ providerToken: token, nonce, audience: LINK_AUD })
    const second = await guest.proof({ providerToken: token, nonce, audience: LINK_AUD })
    expect(await post({ providerToken: token, proof: first })).toMatchObject({ status: 200 })
    expect(await post({ providerToken: token, proof: second })).toEqual({
      status: 401,
      error: 'nonce_unknown',
    })
  })

  it('a proof signed by another key than the guest it names: thumbprint_mismatch', async () => {
    const { links, post } = setup()
    const [victim, attacker] = [await guestDevice(now), await guestDevice(now)]
    const token = await providerToken('user_eve')
    const { nonce } = await links.challenge()
    // The attacker's own key in the header, the victim's id as sub.
    const proof = await attacker.proof(
      { providerToken: token, nonce, audience: LINK_AUD },
      { sub: victim.id },
    )
    expect(await post({ providerToken: token, proof })).toEqual({
      status: 401,
      error: 'thumbprint_mismatch',
    })
    expect(await links.isLinked(victim.id)).toBe(false)
  })

  it("a proof carrying the victim's key but signed by another: bad_proof", async () => {
    const { links, post } = setup()
    const [victim, attacker] = [await guestDevice(now), await guestDevice(now)]
    const token = await providerToken('user_eve')
    const { nonce } = await links.challenge()
    const proof = await victim.proof(
      { providerToken: token, nonce, audience: LINK_AUD },
      {},
      {},
      attacker.privateKey,
    )
    expect(await post({ providerToken: token, proof })).toEqual({ status: 401, error: 'bad_proof' })
  })

  it('a proof past its two minutes: proof_expired', async () => {
    const { attempt, post } = setup()
    const body = await attempt(await guestDevice(now), await providerToken('user_ada'))
    await t.clock.advance(126_000)
    expect(await post(body)).toEqual({ status: 401, error: 'proof_expired' })
  })

  it('a malformed proof: another endpoint, another typ, too long a life, no nonce, issued ahead, not a JWS', async () => {
    const { links, post } = setup()
    const guest = await guestDevice(now)
    const token = await providerToken('user_ada')
    const input = async (audience = LINK_AUD) => ({
      providerToken: token,
      nonce: (await links.challenge()).nonce,
      audience,
    })
    const s = now() / 1000
    const proofs = [
      await guest.proof(await input('https://evil.example/link/link')),
      await guest.proof(await input(), {}, { typ: 'keyway-anon+jwt' }),
      await guest.proof(await input(), { exp: s + 600 }),
      await guest.proof(await input(), { nonce: undefined }),
      await guest.proof(await input(), { iat: s + 120, exp: s + 240 }),
      'not-a-jws',
    ]
    for (const proof of proofs)
      expect(await post({ providerToken: token, proof })).toEqual({
        status: 401,
        error: 'bad_proof',
      })
  })

  it('a provider token that does not verify: provider_token_invalid', async () => {
    const { links, post } = setup()
    const guest = await guestDevice(now)
    const expired = await mintProvider(key, {
      sub: 'user_ada',
      iat: now() / 1000 - 7200,
      exp: now() / 1000 - 3600,
    })
    const { nonce } = await links.challenge()
    const proof = await guest.proof({ providerToken: expired, nonce, audience: LINK_AUD })
    expect(await post({ providerToken: expired, proof })).toEqual({
      status: 401,
      error: 'provider_token_invalid',
    })
  })

  it('a guest token where the provider token belongs: anonymous_provider_token', async () => {
    const { links, post } = setup()
    const guest = await guestDevice(now)
    const guestToken = await guest.token('api')
    const { nonce } = await links.challenge()
    const proof = await guest.proof({ providerToken: guestToken, nonce, audience: LINK_AUD })
    expect(await post({ providerToken: guestToken, proof })).toEqual({
      status: 400,
      error: 'anonymous_provider_token',
    })
  })

  it("the provider's JWKS unreachable: 503 provider_unavailable (the client retries later)", async () => {
    const down = await startJwksServer([key.jwk])
    down.state.down = true
    const { attempt, post } = setup({ jwksUrl: down.url })
    const body = await attempt(await guestDevice(now), await providerToken('user_ada'))
    expect(await post(body)).toEqual({ status: 503, error: 'provider_unavailable' })
    down.state.down = false
    await t.clock.advance(31_000) // past the JWKS cooldown; the nonce and proof still live
    expect(await post(body)).toMatchObject({ status: 200 }) // nothing was consumed
    await down.close()
  })

  it('bodies that are not { providerToken, proof }: 400 bad_request', async () => {
    const { post, links } = setup()
    for (const body of ['not json', '{}', { providerToken: 1, proof: 'x' }, { providerToken: 'x' }])
      expect(await post(body)).toEqual({ status: 400, error: 'bad_request' })
    expect(await post('x'.repeat(70_000))).toEqual({ status: 413, error: 'body_too_large' })
    await expect(links.link(null as never)).rejects.toMatchObject({
      code: 'ERR_LINK',
      reason: 'bad_request',
    })
  })
})

describe('link handler: Fetch routing and housekeeping', () => {
  it('a store that fails to give the challenge key once is asked again; a failing sweep fails no link', async () => {
    const store = memoryLinkStore()
    let keyCalls = 0
    const flaky: LinkStore = {
      ...store,
      challengeKey: async () => {
        if (++keyCalls === 1) throw new Error('database unavailable')
        return store.challengeKey!()
      },
      sweep: async () => {
        throw new Error('database unavailable')
      },
    }
    const { links, attempt } = setup({ store: flaky })
    await expect(links.challenge()).rejects.toThrow('database unavailable')
    const token = await providerToken('user_flaky')
    expect(await links.link(await attempt(await guestDevice(now), token))).toMatchObject({
      userId: 'user_flaky',
    })
    expect(keyCalls).toBe(2)
  })

  it('POST …/challenge answers a fresh nonce, uncacheable; other paths 404, other methods 405', async () => {
    const { links, post } = setup()
    const response = await links.handle(
      new Request('https://api.keyway.test/link/challenge', { method: 'POST' }),
    )
    expect(response.headers.get('cache-control')).toBe('no-store')
    const { nonce, expiresAt } = (await response.json()) as { nonce: string; expiresAt: number }
    expect(nonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
    expect(expiresAt).toBe(now() + 120_000)
    expect((await post({}, '/link/challenge')).nonce).not.toBe(nonce)
    expect(await post({}, '/link/elsewhere')).toEqual({ status: 404, error: 'not_found' })
    expect(await post(undefined, '/link/link', 'GET')).toEqual({
      status: 405,
      error: 'method_not_allowed',
    })
  })

  it('challenges write nothing; link attempts sweep expired nonces and proof ids at most once a minute', async () => {
    const store = memoryLinkStore()
    let sweeps = 0
    let writes = 0
    const counting: LinkStore = {
      ...store,
      consumeNonce: (nonce, expiresAt) => {
        writes++
        return store.consumeNonce(nonce, expiresAt)
      },
      sweep: async (at) => {
        sweeps++
        return store.sweep(at)
      },
    }
    const { links, attempt } = setup({ store: counting })
    for (let i = 0; i < 50; i++) await links.challenge()
    expect([writes, sweeps]).toEqual([0, 0])
    const token = await providerToken('user_sweep')
    const used = await attempt(await guestDevice(now), token)
    await links.link(used)
    await links.link(await attempt(await guestDevice(now), token))
    expect([writes, sweeps]).toEqual([2, 1])
    await t.clock.advance(600_000)
    const late = await providerToken('user_sweep')
    await links.link(await attempt(await guestDevice(now), late))
    expect(sweeps).toBe(2)
    // Swept, not merely expired: the store takes the old nonce as new again.
    expect(await store.consumeNonce(used.nonce, now() + 60_000)).toBe(true)
  })
})
