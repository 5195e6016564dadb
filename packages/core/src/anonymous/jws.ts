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
export async function jwkThumbprint(
  jwk: JsonWebKey,
  sha256: Sha256 = webCryptoSha256,
): Promise<string> {
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
  return sha256Base64Url(JSON.stringify(canonical), sha256)
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
export async function sha256Base64Url(
  text: string,
  sha256: Sha256 = webCryptoSha256,
): Promise<string> {
  return bytesToBase64Url(await sha256(new TextEncoder().encode(text)))
}

/** A SHA-256 implementation: WebCrypto by default, injectable where `crypto.subtle` is missing. */
export type Sha256 = (data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>

/** SHA-256 through WebCrypto, looked up at call time (nothing is touched at import). */
export const webCryptoSha256: Sha256 = async (data) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', data))

/** 128 random bits, base64url: a `jti` no two tokens share. */
export function randomId(
  randomBytes: (length: number) => Uint8Array = (length) =>
    crypto.getRandomValues(new Uint8Array(length)),
): string {
  return bytesToBase64Url(randomBytes(16))
}
