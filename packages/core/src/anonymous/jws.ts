import { bytesToBase64Url, stringToBase64Url } from '../base64url.js'
import { KeywayError } from '../errors.js'
import type { DeviceKey } from './device-key.js'

/** Signs a compact JWS (ES256) with the device key. */
export async function signCompact(
  key: DeviceKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const input = `${stringToBase64Url(JSON.stringify(header))}.${stringToBase64Url(JSON.stringify(payload))}`
  const signature = await key.sign(new TextEncoder().encode(input))
  return `${input}.${bytesToBase64Url(signature)}`
}

/** The members RFC 7638 §3.2 hashes, per key type, already in lexicographic order. */
const REQUIRED_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
}

/**
 * RFC 7638 JWK thumbprint: base64url(SHA-256) of the key's required members as JSON with
 * sorted keys and no whitespace. Private members (`d`) and metadata (`kid`, `use`) never
 * change it, so the public key alone names the guest.
 *
 * @example
 * ```ts
 * const id = `anon_${await jwkThumbprint(publicJwk)}`
 * ```
 */
export async function jwkThumbprint(jwk: JsonWebKey): Promise<string> {
  const members = REQUIRED_MEMBERS[jwk.kty ?? '']
  if (!members)
    throw new KeywayError('ERR_CONFIG', `No thumbprint for key type ${String(jwk.kty)}`, {
      transient: false,
    })
  const canonical: Record<string, unknown> = {}
  for (const name of members) {
    const value = (jwk as Record<string, unknown>)[name]
    if (typeof value !== 'string')
      throw new KeywayError('ERR_CONFIG', `The key lacks its "${name}" member`, {
        transient: false,
      })
    canonical[name] = value
  }
  return sha256Base64Url(JSON.stringify(canonical))
}

/**
 * base64url(SHA-256(text)): what a link proof's `pth` carries, binding it to one provider
 * token without revealing the token.
 *
 * @example
 * ```ts
 * const pth = await sha256Base64Url(providerToken)
 * ```
 */
export async function sha256Base64Url(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return bytesToBase64Url(new Uint8Array(digest))
}

/** 128 random bits, base64url: a `jti` no two tokens share. */
export function randomId(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return bytesToBase64Url(bytes)
}
