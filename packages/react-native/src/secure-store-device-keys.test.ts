import { createHash, randomFillSync } from 'node:crypto'
import { type Connector, createSession, isKeywayError } from '@keyway/core'
import { ANONYMOUS_ISSUER, anonymousIdentity, base64UrlToBytes } from '@keyway/core/anonymous'
import { createTestPlatform } from '@keyway/core/testing'
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  type JWK,
  jwtVerify,
} from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeAppState, fakeNetInfo, fakeSecureStore } from '../test/stand-ins.js'
import { reactNativePlatform } from './react-native-platform.js'
import { secureStoreDeviceKeys } from './secure-store-device-keys.js'
import { secureStoreStorage } from './secure-store-storage.js'

const AUDIENCE = 'https://api.example.com'
/** Order of the P-256 group: a low-S signature has s ≤ n/2. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`)

/** What `@keyway/server` checks of an anonymous token, done with jose and WebCrypto. */
async function verifyAnonymousToken(token: string, currentDate = new Date()) {
  const { payload, protectedHeader } = await jwtVerify(token, EmbeddedJWK, {
    algorithms: ['ES256'],
    typ: 'keyway-anon+jwt',
    issuer: ANONYMOUS_ISSUER,
    audience: AUDIENCE,
    currentDate,
  })
  const thumbprint = await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256')
  expect(payload.sub).toBe(`anon_${thumbprint}`)
  expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(3600)
  // Independently of jose: the raw r ‖ s verifies under WebCrypto and is low-S.
  const [h, p, s] = token.split('.') as [string, string, string]
  const signature = base64UrlToBytes(s)!
  expect(signature).toHaveLength(64)
  expect(toBigInt(signature.subarray(32))).toBeLessThanOrEqual(N / 2n)
  const key = await crypto.subtle.importKey(
    'jwk',
    protectedHeader.jwk as JsonWebKey,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['verify'],
  )
  const ok = await crypto.subtle.verify(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    new Uint8Array(signature),
    new TextEncoder().encode(`${h}.${p}`),
  )
  expect(ok).toBe(true)
  return payload
}

describe('secureStoreDeviceKeys', () => {
  it('keeps one guest across loads and relaunches: the same id from the same stored seed', async () => {
    const store = fakeSecureStore()
    const first = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(store),
    })
    const id = await first.getId()
    expect(id).toMatch(/^anon_[\w-]{43}$/)
    expect(await first.getId()).toBe(id)
    expect([...store.data.keys()]).toEqual(['keyway.device-seed'])
    expect(base64UrlToBytes(store.data.get('keyway.device-seed')!)).toHaveLength(32)
    // A relaunch: new objects, same SecureStore.
    const relaunched = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(store),
    })
    expect(await relaunched.currentId()).toBe(id)
  })

  it('signs ES256 tokens that jose and WebCrypto verify, with the RFC 7638 id as sub', async () => {
    const identity = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(fakeSecureStore()),
    })
    for (let i = 0; i < 8; i++) {
      const { token } = await identity.fetchCredentials()
      const payload = await verifyAnonymousToken(token)
      expect(payload.sub).toBe(await identity.getId())
    }
  })

  it('a signature by another key does not verify under the token jwk', async () => {
    const a = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(fakeSecureStore()),
    })
    const b = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(fakeSecureStore()),
    })
    const good = (await a.fetchCredentials()).token
    const other = (await b.fetchCredentials()).token
    const spliced = `${good.split('.').slice(0, 2).join('.')}.${other.split('.')[2]}`
    await expect(jwtVerify(spliced, EmbeddedJWK)).rejects.toThrow()
  })

  it('link proofs carry pth = base64url(SHA-256(provider token)), hashed by @noble', async () => {
    const identity = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(fakeSecureStore()),
    })
    await identity.getId()
    const proof = await identity.createLinkProof({
      providerToken: 'provider.jwt.value',
      nonce: 'n-1',
      audience: `${AUDIENCE}/link`,
    })
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { audience: `${AUDIENCE}/link` })
    expect(payload.pth).toBe(createHash('sha256').update('provider.jwt.value').digest('base64url'))
    const keys = secureStoreDeviceKeys(fakeSecureStore())
    expect(Buffer.from(await keys.sha256!(new TextEncoder().encode('abc'))).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('draws its seed and every jti from the injected randomBytes', async () => {
    let calls = 0
    const randomBytes = (length: number) => {
      calls++
      return randomFillSync(new Uint8Array(length))
    }
    const identity = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(fakeSecureStore(), { randomBytes }),
    })
    await identity.fetchCredentials()
    await identity.fetchCredentials()
    expect(calls).toBe(3) // one seed, two jti
  })

  it('a broken randomBytes is a configuration error, not an endless loop', async () => {
    const keys = secureStoreDeviceKeys(fakeSecureStore(), {
      randomBytes: (length) => new Uint8Array(length), // all zero: not a P-256 key
    })
    const error = await keys.create().catch((e: unknown) => e)
    expect(isKeywayError(error) && error.code).toBe('ERR_CONFIG')
  })

  it('a corrupt seed reads as no guest; the next guest replaces it', async () => {
    const store = fakeSecureStore()
    const identity = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(store),
    })
    const before = await identity.getId()
    for (const junk of ['', 'not base64!', 'AAAA', '_'.repeat(43), 'A'.repeat(43)]) {
      store.data.set('keyway.device-seed', junk)
      expect(await identity.currentId()).toBeUndefined()
    }
    const after = await identity.getId()
    expect(after).not.toBe(before)
    expect(await identity.currentId()).toBe(after)
  })

  it('a SecureStore that cannot be read now is a transient ERR_STORAGE, never a new guest', async () => {
    const store = fakeSecureStore()
    const identity = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(store),
    })
    const id = await identity.getId()
    const getItemAsync = store.getItemAsync
    const cause = new Error('User interaction is not allowed.')
    store.getItemAsync = async () => {
      throw cause
    }
    const error = await identity.fetchCredentials().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_STORAGE', transient: true, cause })
    store.getItemAsync = getItemAsync
    expect(await identity.getId()).toBe(id)
  })

  it('two identities starting together on one device make one seed', async () => {
    const store = fakeSecureStore()
    let writes = 0
    const setItemAsync = store.setItemAsync
    store.setItemAsync = async (...args) => {
      writes++
      return setItemAsync(...args)
    }
    const ids = await Promise.all(
      Array.from({ length: 5 }, () =>
        anonymousIdentity({ audience: AUDIENCE, deviceKeys: secureStoreDeviceKeys(store) }).getId(),
      ),
    )
    expect(new Set(ids).size).toBe(1)
    expect(writes).toBe(1)
  })

  it('reset forgets the seed: the next guest is new', async () => {
    const store = fakeSecureStore()
    const identity = anonymousIdentity({
      audience: AUDIENCE,
      deviceKeys: secureStoreDeviceKeys(store),
    })
    const before = await identity.getId()
    await identity.reset()
    expect(store.data.size).toBe(0)
    expect(await identity.getId()).not.toBe(before)
  })
})

describe('a session on React Native without crypto.subtle, window or IndexedDB', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('hands out verifiable anonymous tokens and refreshes them', async () => {
    const t = createTestPlatform()
    const nobody: Connector = { id: 'app', fetchCredentials: async () => null }
    const store = fakeSecureStore()
    const real = globalThis.crypto
    vi.stubGlobal('crypto', { getRandomValues: real.getRandomValues.bind(real) })
    expect(globalThis.crypto.subtle).toBeUndefined()
    expect('window' in globalThis || 'indexedDB' in globalThis || 'document' in globalThis).toBe(
      false,
    )

    const session = createSession({
      connector: nobody,
      platform: reactNativePlatform({
        AppState: fakeAppState(),
        NetInfo: fakeNetInfo(),
        storage: secureStoreStorage(store),
        clock: t.platform,
      }),
      anonymous: anonymousIdentity({
        audience: AUDIENCE,
        deviceKeys: secureStoreDeviceKeys(store),
        now: t.clock.wallNow,
      }),
    })
    const first = await session.getToken()
    expect(session.getSnapshot().status).toBe('anonymous')
    const guest = session.getSnapshot().userId
    await t.clock.advance(500_000) // 600 s tokens are refreshed before this
    const second = await session.getToken()
    expect(second).not.toBe(first)
    expect(session.getSnapshot().userId).toBe(guest)
    session.dispose()

    vi.unstubAllGlobals()
    for (const token of [first, second]) {
      const payload = await verifyAnonymousToken(token, new Date(t.clock.wallNow()))
      expect(payload.sub).toBe(guest)
      expect(decodeProtectedHeader(token).alg).toBe('ES256')
    }
  })
})
