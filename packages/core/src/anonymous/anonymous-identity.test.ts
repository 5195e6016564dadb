import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { isKeywayError } from '../errors.js'
import { anonymousIdentity } from './anonymous-identity.js'
import {
  type DeviceKeyStore,
  generateDeviceKeyPair,
  memoryDeviceKeyStore,
  webCryptoDeviceKeys,
} from './device-key.js'
import { jwkThumbprint, sha256Base64Url } from './jws.js'

const NOW = Date.UTC(2026, 0, 1)

/** A key store that counts what keyway asks of it, with an optional lock around creation. */
function countingStore(withLock = false) {
  const inner = memoryDeviceKeyStore()
  const counts = { load: 0, save: 0, clear: 0, exclusive: 0 }
  const store: DeviceKeyStore = {
    load: () => {
      counts.load++
      return inner.load()
    },
    save: (pair) => {
      counts.save++
      return inner.save(pair)
    },
    clear: () => {
      counts.clear++
      return inner.clear()
    },
  }
  if (withLock) {
    let tail: Promise<unknown> = Promise.resolve()
    store.exclusive = <T>(task: () => Promise<T>) => {
      counts.exclusive++
      const run = tail.then(task)
      tail = run.catch(() => {})
      return run
    }
  }
  return { store, counts, inner }
}

describe('RFC 7638 thumbprint', () => {
  it('matches the RFC 7638 §3.1 example (RSA): NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', async () => {
    const rfcKey = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }
    expect(await jwkThumbprint(rfcKey)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })

  it('hashes only crv, kty, x, y of a P-256 key (RFC 7515 A.3 key), whatever else it carries', async () => {
    const x = 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU'
    const y = 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0'
    const expected = 'oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U'
    expect(await jwkThumbprint({ kty: 'EC', crv: 'P-256', x, y })).toBe(expected)
    // Member order, private and metadata members do not change it.
    const noisy = {
      y,
      x,
      kid: 'k',
      use: 'sig',
      d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
      crv: 'P-256',
      kty: 'EC',
    }
    expect(await jwkThumbprint(noisy)).toBe(expected)
    expect(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x, y })).toBe(expected)
  })

  it('agrees with jose on fresh device keys, and refuses keys it cannot name', async () => {
    for (let i = 0; i < 3; i++) {
      const { publicKey } = await generateDeviceKeyPair()
      const jwk = await crypto.subtle.exportKey('jwk', publicKey)
      expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk as JWK, 'sha256'))
    }
    await expect(jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    })
    await expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    })
  })
})

describe('device key', () => {
  it('is non-extractable: page script can sign with it but never read it', async () => {
    const { store } = countingStore()
    const identity = anonymousIdentity({ audience: 'api', keyStore: store })
    await identity.getId()
    const pair = (await store.load())!
    expect(pair.privateKey.extractable).toBe(false)
    expect(pair.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' })
    await expect(crypto.subtle.exportKey('jwk', pair.privateKey)).rejects.toThrow()
    await expect(crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow()
    // The public half must be exportable: it travels in every token header.
    expect((await crypto.subtle.exportKey('jwk', pair.publicKey)).d).toBeUndefined()
  })

  it('20 concurrent first calls make one key; creation runs inside the store lock', async () => {
    const { store, counts } = countingStore(true)
    const identity = anonymousIdentity({ audience: 'api', keyStore: store })
    const ids = await Promise.all(Array.from({ length: 20 }, () => identity.getId()))
    expect(new Set(ids).size).toBe(1)
    expect(counts.save).toBe(1)
    expect(counts.exclusive).toBeGreaterThanOrEqual(1)
    // Once the key exists, no lock is taken to use it.
    const locksBefore = counts.exclusive
    await identity.fetchCredentials()
    expect(counts.exclusive).toBe(locksBefore)
  })

  it('without a store lock, concurrent first calls in one realm still make one key', async () => {
    const { store, counts } = countingStore(false)
    const identity = anonymousIdentity({ audience: 'api', keyStore: store })
    const ids = await Promise.all(Array.from({ length: 10 }, () => identity.getId()))
    expect(new Set(ids).size).toBe(1)
    expect(counts.save).toBe(1)
  })

  it('two identities over one store (two tabs) share the guest; a reload finds it again', async () => {
    const { store } = countingStore(true)
    const tabA = anonymousIdentity({ audience: 'api', keyStore: store })
    const tabB = anonymousIdentity({ audience: 'api', keyStore: store })
    const [a, b] = await Promise.all([tabA.getId(), tabB.getId()])
    expect(a).toBe(b)
    const reloaded = anonymousIdentity({ audience: 'api', keyStore: store })
    expect(await reloaded.currentId()).toBe(a)
  })

  it('webCryptoDeviceKeys signs ES256 signatures that verify with the public key', async () => {
    const keys = webCryptoDeviceKeys(memoryDeviceKeyStore())
    expect(await keys.load()).toBeUndefined()
    const key = await keys.create()
    const data = new TextEncoder().encode('payload')
    const signature = await key.sign(data)
    expect(signature).toHaveLength(64)
    const publicKey = await crypto.subtle.importKey(
      'jwk',
      key.publicJwk,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    )
    expect(
      await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        publicKey,
        signature as Uint8Array<ArrayBuffer>,
        data,
      ),
    ).toBe(true)
  })
})

describe('anonymous token', () => {
  it('has the documented header and claims, and jose verifies it with the embedded key', async () => {
    const identity = anonymousIdentity({
      audience: 'https://api.test',
      keyStore: memoryDeviceKeyStore(),
      now: () => NOW + 999,
    })
    const { token } = await identity.fetchCredentials()
    const header = decodeProtectedHeader(token)
    expect(Object.keys(header).sort()).toEqual(['alg', 'jwk', 'typ'])
    expect(header).toMatchObject({ alg: 'ES256', typ: 'keyway-anon+jwt' })
    expect(Object.keys(header.jwk!).sort()).toEqual(['crv', 'kty', 'x', 'y'])
    const { payload } = await jwtVerify(token, await importJWK(header.jwk as JWK, 'ES256'), {
      issuer: 'urn:keyway:anonymous',
      audience: 'https://api.test',
      typ: 'keyway-anon+jwt',
      algorithms: ['ES256'],
      currentDate: new Date(NOW),
    })
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub'])
    expect(payload.sub).toBe(await identity.getId())
    expect(payload.sub).toBe(`anon_${await calculateJwkThumbprint(header.jwk as JWK)}`)
    expect(payload.sub).toMatch(/^anon_[A-Za-z0-9_-]{43}$/)
    expect(payload.iat).toBe(NOW / 1000)
    expect(payload.exp).toBe(NOW / 1000 + 600)
    const second = await identity.fetchCredentials()
    expect(decodeProtectedHeader(second.token).jwk).toEqual(header.jwk)
    const again = await jwtVerify(second.token, await importJWK(header.jwk as JWK, 'ES256'), {
      currentDate: new Date(NOW),
    })
    expect(again.payload.jti).not.toBe(payload.jti)
  })

  it('a token whose signature was made by another key does not verify under its jwk', async () => {
    const victim = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
    const attacker = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
    const { token: good } = await victim.fetchCredentials()
    const { token: forged } = await attacker.fetchCredentials()
    const [header, payload] = good.split('.')
    const spliced = `${header}.${payload}.${forged.split('.')[2]}`
    const jwk = decodeProtectedHeader(good).jwk as JWK
    await expect(jwtVerify(spliced, await importJWK(jwk, 'ES256'))).rejects.toThrow()
  })

  it('honours lifetimeSec and refuses lifetimes a server would refuse', async () => {
    const identity = anonymousIdentity({
      audience: 'api',
      keyStore: memoryDeviceKeyStore(),
      lifetimeSec: 120,
      now: () => NOW,
    })
    const { token } = await identity.fetchCredentials()
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))
    expect(payload.exp - payload.iat).toBe(120)
    for (const lifetimeSec of [0, -1, 3601, Number.NaN])
      expect(() =>
        anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore(), lifetimeSec }),
      ).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
    expect(() => anonymousIdentity({ audience: '', keyStore: memoryDeviceKeyStore() })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    )
  })

  it('an aborted fetch rejects with ERR_ABORTED and creates nothing', async () => {
    const { store, counts } = countingStore()
    const identity = anonymousIdentity({ audience: 'api', keyStore: store })
    const controller = new AbortController()
    controller.abort()
    const error = await identity
      .fetchCredentials({ forceRefresh: false, reason: 'initial', signal: controller.signal })
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_ABORTED')).toBe(true)
    expect(counts.save).toBe(0)
  })
})

describe('reset', () => {
  it('makes the next guest a new identity', async () => {
    const identity = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
    expect(await identity.exists()).toBe(false)
    expect(await identity.currentId()).toBeUndefined()
    const first = await identity.getId()
    expect(await identity.getId()).toBe(first)
    expect(await identity.exists()).toBe(true)
    await identity.reset()
    expect(await identity.currentId()).toBeUndefined()
    const second = await identity.getId()
    expect(second).not.toBe(first)
    expect(second).toMatch(/^anon_/)
  })

  it('with an expected id, forgets only that guest', async () => {
    const identity = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
    const old = await identity.getId()
    await identity.reset()
    const current = await identity.getId()
    await identity.reset(old)
    expect(await identity.currentId()).toBe(current)
    await identity.reset(current)
    expect(await identity.currentId()).toBeUndefined()
  })

  it('keeps the key while a guard says so, and again forgets it once the guard is gone', async () => {
    const identity = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
    const id = await identity.getId()
    const asked: string[] = []
    const release = identity.keepWhile(async (guestId) => {
      asked.push(guestId)
      return true
    })
    await identity.reset()
    expect(await identity.currentId()).toBe(id)
    expect(asked).toEqual([id])
    release()
    await identity.reset()
    expect(await identity.currentId()).toBeUndefined()
  })
})

describe('link proof', () => {
  it('binds the nonce, the link endpoint and the provider token hash, for two minutes', async () => {
    const identity = anonymousIdentity({
      audience: 'api',
      keyStore: memoryDeviceKeyStore(),
      now: () => NOW,
    })
    await identity.getId()
    const proof = await identity.createLinkProof({
      providerToken: 'provider.jwt.value',
      nonce: 'n1',
      audience: 'https://api.test/link/link',
    })
    const header = decodeProtectedHeader(proof)
    expect(Object.keys(header).sort()).toEqual(['alg', 'jwk', 'typ'])
    expect(header).toMatchObject({ alg: 'ES256', typ: 'keyway-link+jwt' })
    const { payload } = await jwtVerify(proof, await importJWK(header.jwk as JWK, 'ES256'), {
      issuer: 'urn:keyway:anonymous',
      audience: 'https://api.test/link/link',
      typ: 'keyway-link+jwt',
      currentDate: new Date(NOW),
    })
    expect(Object.keys(payload).sort()).toEqual([
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'nonce',
      'pth',
      'sub',
    ])
    expect(payload).toMatchObject({
      sub: await identity.getId(),
      nonce: 'n1',
      iat: NOW / 1000,
      exp: NOW / 1000 + 120,
    })
    expect(payload.pth).toBe(await sha256Base64Url('provider.jwt.value'))
    // SHA-256('abc'), FIPS 180-2 vector, in base64url: pth is a plain hash of the token text.
    expect(await sha256Base64Url('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
  })

  it('is refused when the device has no guest, and never creates one for it', async () => {
    const identity = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
    const error = await identity
      .createLinkProof({ providerToken: 't', nonce: 'n', audience: 'https://x/link' })
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_LINK')).toBe(true)
    expect(await identity.exists()).toBe(false)
  })
})
