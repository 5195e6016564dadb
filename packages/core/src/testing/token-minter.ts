import { bytesToBase64Url, stringToBase64Url } from '../base64url.js'

export interface MintClaims {
  sub?: string
  /** Issued-at in epoch seconds. Default: the minter's `now()`. */
  iat?: number
  /** Expiry in epoch seconds. Default: `iat + lifetimeSec`. */
  exp?: number
  /** Lifetime in seconds when `exp` is not given. Default 3600. */
  lifetimeSec?: number
  /** Leave `exp` (and the lifetime) out: a token valid until rejected. */
  noExp?: boolean
  [claim: string]: unknown
}

export interface TokenMinter {
  /** Mints a real ES256 JWT. */
  mint(claims?: MintClaims): Promise<string>
  /** The public key set that verifies minted tokens (serve it as a JWKS endpoint). */
  jwks: { keys: JsonWebKey[] }
  issuer: string
  kid: string
}

export interface TokenMinterOptions {
  /** Wall-clock epoch ms used for `iat`. Default `Date.now`; pass the test clock's `wallNow`. */
  now?: () => number
  issuer?: string
  audience?: string
}

let minted = 0

/**
 * Mints real, verifiable ES256 JWTs with a freshly generated key, for tests and demos.
 *
 * @example
 * ```ts
 * const minter = await createTokenMinter({ now: t.clock.wallNow })
 * const token = await minter.mint({ sub: 'user_1', lifetimeSec: 60 })
 * ```
 */
export async function createTokenMinter(options: TokenMinterOptions = {}): Promise<TokenMinter> {
  const now = options.now ?? (() => Date.now())
  const issuer = options.issuer ?? 'https://issuer.keyway.test'
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
  const kid = `test-${++minted}-${Math.floor(Math.random() * 1e9).toString(36)}`
  const jwk: JsonWebKey = { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y }
  Object.assign(jwk, { kid, alg: 'ES256', use: 'sig' })

  return {
    jwks: { keys: [jwk] },
    issuer,
    kid,
    async mint(claims = {}) {
      const { lifetimeSec = 3600, noExp, ...rest } = claims
      const iat = rest.iat ?? Math.floor(now() / 1000)
      const payload: Record<string, unknown> = {
        iss: issuer,
        ...(options.audience ? { aud: options.audience } : {}),
        sub: 'user_1',
        jti: `${Date.now().toString(36)}-${++minted}`,
        ...rest,
        iat,
      }
      if (noExp) delete payload.exp
      else payload.exp = rest.exp ?? iat + lifetimeSec
      const header = { alg: 'ES256', typ: 'JWT', kid }
      const input = `${stringToBase64Url(JSON.stringify(header))}.${stringToBase64Url(JSON.stringify(payload))}`
      const signature = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        new TextEncoder().encode(input),
      )
      return `${input}.${bytesToBase64Url(new Uint8Array(signature))}`
    },
  }
}
