import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose'

/**
 * Token minting for the server's tests, with jose and nothing from the client package: the
 * server is checked against the format in design.md, not against keyway's own client.
 */

/** A provider signing key (ES256 unless told), with its public JWK as a JWKS entry. */
export async function providerKey(kid: string, alg: 'ES256' | 'RS256' = 'ES256') {
  const pair = await generateKeyPair(alg, { extractable: true })
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' }
  return { ...pair, kid, alg, jwk }
}
export type ProviderKey = Awaited<ReturnType<typeof providerKey>>

/** Signs provider tokens at a given time (epoch ms), with any header or claim overridden. */
export function providerMinter(defaults: { issuer: string; audience?: string; now: () => number }) {
  return (
    key: ProviderKey,
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
  ) => {
    const iat = Math.floor(defaults.now() / 1000)
    return new SignJWT({
      iss: defaults.issuer,
      ...(defaults.audience ? { aud: defaults.audience } : {}),
      sub: 'user_1',
      iat,
      exp: iat + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
      .sign(key.privateKey)
  }
}

/**
 * A compact JWS signed over exactly these header and payload (objects, or raw JSON text),
 * with an ECDSA P-256 or RSA key: jose would refuse to produce some of them.
 */
export async function signRaw(
  header: Record<string, unknown> | string,
  payload: Record<string, unknown> | string,
  privateKey: CryptoKey,
): Promise<string> {
  const text = (part: Record<string, unknown> | string) =>
    typeof part === 'string' ? part : JSON.stringify(part)
  const input = `${base64url.encode(text(header))}.${base64url.encode(text(payload))}`
  const algorithm =
    privateKey.algorithm.name === 'ECDSA'
      ? { name: 'ECDSA', hash: 'SHA-256' }
      : { name: privateKey.algorithm.name, saltLength: 32 }
  const signature = await crypto.subtle.sign(algorithm, privateKey, new TextEncoder().encode(input))
  return `${input}.${base64url.encode(new Uint8Array(signature))}`
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[index]!)))
}

/** Re-encodes one part of a token, keeping the other two (a tampered token). */
export function replacePart(token: string, index: 0 | 1, value: Record<string, unknown>): string {
  const parts = token.split('.')
  parts[index] = base64url.encode(JSON.stringify(value))
  return parts.join('.')
}

export async function sha256(text: string): Promise<string> {
  return base64url.encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))),
  )
}

/**
 * A guest device: a P-256 key pair, its `anon_<thumbprint>` id (computed here from RFC 7638
 * by hand, independently of the server's helper), and minting for guest tokens and link
 * proofs in the design.md format, each field overridable for attacks.
 */
export async function guestDevice(now: () => number) {
  const pair = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(pair.publicKey)
  const id = `anon_${await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y })}`
  const seconds = () => Math.floor(now() / 1000)

  function sign(
    header: Record<string, unknown>,
    claims: Record<string, unknown>,
    key = pair.privateKey,
  ) {
    return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key)
  }

  return {
    id,
    jwk,
    privateKey: pair.privateKey,
    /** A guest token: `{alg: ES256, typ: keyway-anon+jwt, jwk}`, lifetime 600 s. */
    token(
      audience: string,
      claims: Record<string, unknown> = {},
      header: Record<string, unknown> = {},
      key = pair.privateKey,
    ) {
      const iat = seconds()
      return sign(
        { alg: 'ES256', typ: 'keyway-anon+jwt', jwk, ...header },
        {
          iss: 'urn:keyway:anonymous',
          sub: id,
          aud: audience,
          iat,
          exp: iat + 600,
          jti: crypto.randomUUID(),
          ...claims,
        },
        key,
      )
    },
    /** A link proof for `providerToken` and `nonce`, for the endpoint `audience`. */
    async proof(
      input: { providerToken: string; nonce: string; audience: string },
      claims: Record<string, unknown> = {},
      header: Record<string, unknown> = {},
      key = pair.privateKey,
    ) {
      const iat = seconds()
      return sign(
        { alg: 'ES256', typ: 'keyway-link+jwt', jwk, ...header },
        {
          iss: 'urn:keyway:anonymous',
          sub: id,
          aud: input.audience,
          nonce: input.nonce,
          jti: crypto.randomUUID(),
          iat,
          exp: iat + 120,
          pth: await sha256(input.providerToken),
          ...claims,
        },
        key,
      )
    },
  }
}
export type GuestDevice = Awaited<ReturnType<typeof guestDevice>>
