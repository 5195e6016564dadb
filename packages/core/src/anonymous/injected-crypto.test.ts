import { createHash } from 'node:crypto'
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bytesToBase64Url } from '../base64url.js'
import { anonymousIdentity } from './anonymous-identity.js'
import { type DeviceKeys, memoryDeviceKeyStore, webCryptoDeviceKeys } from './device-key.js'

/** Device keys that bring their own SHA-256 and randomness, as a React Native key source does. */
function keysWithOwnCrypto() {
  const calls = { sha256: 0, randomBytes: 0 }
  let counter = 0
  const keys: DeviceKeys = {
    ...webCryptoDeviceKeys(memoryDeviceKeyStore()),
    async sha256(data) {
      calls.sha256++
      return new Uint8Array(createHash('sha256').update(data).digest())
    },
    randomBytes(length) {
      calls.randomBytes++
      return new Uint8Array(length).fill(++counter)
    },
  }
  return { keys, calls }
}

describe('anonymous identity with injected sha256 and randomBytes', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('never calls crypto.subtle.digest or crypto.getRandomValues, and names the guest as RFC 7638 does', async () => {
    const digest = vi.spyOn(crypto.subtle, 'digest')
    const random = vi.spyOn(crypto, 'getRandomValues')
    const { keys, calls } = keysWithOwnCrypto()
    const identity = anonymousIdentity({ audience: 'api', deviceKeys: keys })

    const { token } = await identity.fetchCredentials()
    const proof = await identity.createLinkProof({
      providerToken: 'provider.jwt.value',
      nonce: 'n-1',
      audience: 'https://api.example.com/link',
    })

    expect(digest).not.toHaveBeenCalled()
    expect(random).not.toHaveBeenCalled()
    expect(calls.sha256).toBeGreaterThanOrEqual(3) // two guest ids and one pth
    expect(calls.randomBytes).toBe(2) // one jti each
    const jwk = decodeProtectedHeader(token).jwk as JWK
    expect(decodeJwt(token).sub).toBe(`anon_${await calculateJwkThumbprint(jwk, 'sha256')}`)
    expect(decodeJwt(token).jti).toBe(bytesToBase64Url(new Uint8Array(16).fill(1)))
    expect(decodeJwt(proof).pth).toBe(
      createHash('sha256').update('provider.jwt.value').digest('base64url'),
    )
  })

  it('without them, uses WebCrypto as before', async () => {
    const digest = vi.spyOn(crypto.subtle, 'digest')
    const identity = anonymousIdentity({
      audience: 'api',
      deviceKeys: webCryptoDeviceKeys(memoryDeviceKeyStore()),
    })
    expect(await identity.getId()).toMatch(/^anon_[\w-]{43}$/)
    expect(digest).toHaveBeenCalledWith('SHA-256', expect.any(Uint8Array))
  })
})
