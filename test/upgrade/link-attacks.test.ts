import { anonymousIdentity, memoryDeviceKeyStore } from '@keyway/core/anonymous'
import { createTestPlatform } from '@keyway/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, deviceDisk, openApp } from './support/device.js'
import { AUDIENCE, type Stack, startStack } from './support/stack.js'

// Each attack on the link endpoint fails with its own code, against the real server over
// loopback: Better Auth provider tokens, proofs from real device keys.

let stack: Stack
let victim: App
let other: App
let providerToken: string
let otherProviderToken: string
let linkAudience: string

beforeAll(async () => {
  stack = await startStack()
  linkAudience = `${stack.url}/link/link`
  victim = openApp(stack, deviceDisk())
  await victim.session.getToken() // the guest exists
  await victim.signUp('victim@keyway.test')
  providerToken = await victim.session.getToken()
  other = openApp(stack, deviceDisk())
  await other.signUp('other@keyway.test')
  otherProviderToken = await other.session.getToken()
})
afterAll(async () => {
  victim.close()
  other.close()
  await stack.close()
})

async function challenge(): Promise<string> {
  const res = await fetch(`${stack.url}/link/challenge`, { method: 'POST' })
  return ((await res.json()) as { nonce: string }).nonce
}

async function link(token: string, proof: string) {
  const res = await fetch(linkAudience, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ providerToken: token, proof }),
  })
  return { status: res.status, ...((await res.json()) as { error?: string; outcome?: string }) }
}

const part = (jws: string, i: number) => jws.split('.')[i]!
const decodePart = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString())
const encodePart = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

describe('link endpoint attacks (real server, real provider tokens)', () => {
  it('a proof bound to one provider token is refused with another: pth_mismatch', async () => {
    const proof = await victim.identity.createLinkProof({
      providerToken,
      nonce: await challenge(),
      audience: linkAudience,
    })
    expect(await link(otherProviderToken, proof)).toEqual({ status: 401, error: 'pth_mismatch' })
  })

  it('a header key swapped for the attacker own: thumbprint_mismatch', async () => {
    const attacker = anonymousIdentity({ audience: AUDIENCE, keyStore: memoryDeviceKeyStore() })
    await attacker.getId()
    const forged = await attacker.createLinkProof({
      providerToken,
      nonce: await challenge(),
      audience: linkAudience,
    })
    // The attacker signs a proof naming the victim's guest id with its own key.
    const claims = { ...decodePart(part(forged, 1)), sub: await victim.identity.currentId() }
    const proof = `${part(forged, 0)}.${encodePart(claims)}.${part(forged, 2)}`
    expect(await link(providerToken, proof)).toEqual({ status: 401, error: 'thumbprint_mismatch' })
  })

  it('a proof with the victim key in its header but signed by another key: bad_proof', async () => {
    const attacker = anonymousIdentity({ audience: AUDIENCE, keyStore: memoryDeviceKeyStore() })
    await attacker.getId()
    const nonce = await challenge()
    const genuine = await victim.identity.createLinkProof({
      providerToken,
      nonce,
      audience: linkAudience,
    })
    const forged = await attacker.createLinkProof({ providerToken, nonce, audience: linkAudience })
    const proof = `${part(genuine, 0)}.${part(genuine, 1)}.${part(forged, 2)}`
    expect(await link(providerToken, proof)).toEqual({ status: 401, error: 'bad_proof' })
  })

  it('a nonce used after its two minutes (server on the fake clock): nonce_expired', async () => {
    const t = createTestPlatform({ startWall: Date.now() })
    stack.clock.now = t.clock.wallNow
    try {
      const nonce = await challenge()
      await t.clock.advance(121_000)
      // The proof itself is fresh (made on the same clock): only the nonce is stale.
      const later = anonymousIdentity({
        audience: AUDIENCE,
        keyStore: victim.disk.keyStore,
        now: t.clock.wallNow,
      })
      const proof = await later.createLinkProof({ providerToken, nonce, audience: linkAudience })
      expect(await link(providerToken, proof)).toEqual({ status: 401, error: 'nonce_expired' })
      // The same steps inside the two minutes pass the nonce check (and link).
      const inTime = await challenge()
      await t.clock.advance(119_000)
      const ok = await later.createLinkProof({
        providerToken,
        nonce: inTime,
        audience: linkAudience,
      })
      expect(await link(providerToken, ok)).toMatchObject({ status: 200, outcome: 'promoted' })
    } finally {
      stack.clock.now = () => Date.now()
    }
  })

  it('the same proof twice: replayed (the pair itself stays idempotent with a new proof)', async () => {
    const proof = await victim.identity.createLinkProof({
      providerToken,
      nonce: await challenge(),
      audience: linkAudience,
    })
    const first = await link(providerToken, proof)
    expect(first).toMatchObject({ status: 200 })
    expect(await link(providerToken, proof)).toEqual({ status: 401, error: 'replayed' })
    const again = await victim.identity.createLinkProof({
      providerToken,
      nonce: await challenge(),
      audience: linkAudience,
    })
    expect(await link(providerToken, again)).toEqual(first)
  })

  it('a nonce the server never issued: nonce_unknown; a proof for another endpoint: bad_proof', async () => {
    const unknown = await victim.identity.createLinkProof({
      providerToken,
      nonce: 'made-up-nonce',
      audience: linkAudience,
    })
    expect(await link(providerToken, unknown)).toEqual({ status: 401, error: 'nonce_unknown' })
    const elsewhere = await victim.identity.createLinkProof({
      providerToken,
      nonce: await challenge(),
      audience: 'https://evil.example/link/link',
    })
    expect(await link(providerToken, elsewhere)).toEqual({ status: 401, error: 'bad_proof' })
  })

  it('a guest token where the provider token belongs: anonymous_provider_token', async () => {
    const guest = anonymousIdentity({ audience: AUDIENCE, keyStore: memoryDeviceKeyStore() })
    const { token: guestToken } = await guest.fetchCredentials()
    const proof = await guest.createLinkProof({
      providerToken: guestToken,
      nonce: await challenge(),
      audience: linkAudience,
    })
    expect(await link(guestToken, proof)).toEqual({
      status: 400,
      error: 'anonymous_provider_token',
    })
  })
})
