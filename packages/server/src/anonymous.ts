import {
  calculateJwkThumbprint,
  decodeJwt,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose'
import { isCanonicalBase64url } from './compact-jws.js'
import { checkTokenTimes } from './token-times.js'
import { fromJoseError, VerificationError } from './verification-error.js'

/** The `iss` of keyway anonymous tokens and link proofs. */
export const ANONYMOUS_ISSUER = 'urn:keyway:anonymous'
/** The `typ` header of keyway anonymous tokens. */
export const ANONYMOUS_TYP = 'keyway-anon+jwt'
/** Longest `exp - iat` of an anonymous token the server accepts, seconds. */
export const ANONYMOUS_MAX_LIFETIME_SEC = 3600
/** How far in the future an anonymous token's `iat` may be, seconds. */
export const ANONYMOUS_MAX_FUTURE_IAT_SEC = 60

/** The protected header of an anonymous token: the device's public key travels inline. */
export interface AnonymousTokenHeader {
  alg: 'ES256'
  typ: typeof ANONYMOUS_TYP
  /** The device's P-256 public key (no `d`). */
  jwk: JWK
}

/** The claims of an anonymous token. */
export interface AnonymousTokenClaims {
  iss: typeof ANONYMOUS_ISSUER
  /** `anon_` + the RFC 7638 thumbprint of the header's `jwk`. */
  sub: string
  aud: string
  iat: number
  /** At most `iat + 3600` (the client uses `iat + 600`). */
  exp: number
  jti: string
}

export interface AnonymousOptions {
  /** The `aud` anonymous tokens must carry (your API). */
  audience: string | string[]
  /** Longest accepted `exp - iat`, seconds. Default 3600. */
  maxLifetimeSec?: number
  /**
   * Anonymous ids that were linked to an account: their device key no longer signs in
   * alone. Pass the link handler's `isLinked`.
   */
  isLinked?: (anonymousId: string) => Promise<boolean>
}

/**
 * The anonymous id of a device key: `anon_` + its RFC 7638 JWK thumbprint (SHA-256,
 * base64url), so the id proves which key may speak for it.
 *
 * @example
 * ```ts
 * const id = await anonymousIdFromJwk(publicJwk) // 'anon_NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
 * ```
 */
export async function anonymousIdFromJwk(jwk: JWK): Promise<string> {
  return `anon_${await calculateJwkThumbprint(jwk, 'sha256')}`
}

/** A P-256 coordinate as exactly one spelling of 32 bytes: 43 canonical base64url characters. */
function isCanonicalCoordinate(value: unknown): value is string {
  return (
    typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value) && isCanonicalBase64url(value)
  )
}

/**
 * The embedded key of a keyway self-signed token, as the canonical P-256 public JWK
 * `{ kty, crv, x, y }`. Coordinates must be exactly 43 canonical base64url characters, so
 * one device key has one spelling and one `anon_` id: padding, whitespace, a leading zero
 * byte or spare bits, which a lenient import would accept as the same key, are refused
 * (`malformed`), as is a private key.
 */
export function embeddedPublicKey(header: Record<string, unknown>): JWK {
  const jwk = header.jwk as JWK | undefined
  if (
    !jwk ||
    typeof jwk !== 'object' ||
    jwk.kty !== 'EC' ||
    jwk.crv !== 'P-256' ||
    !isCanonicalCoordinate(jwk.x) ||
    !isCanonicalCoordinate(jwk.y) ||
    'd' in jwk
  )
    throw new VerificationError('malformed', 'The token carries no canonical P-256 public key')
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }
}

/**
 * Verifies a keyway anonymous token: `sub` equal to the thumbprint id of the embedded key,
 * the signature with that key (the only tokens verified with a key they carry), issuer,
 * audience, `typ`, a lifetime of at most an hour, and an `iat` at most 60 s ahead. No shared
 * secret: possession of the device key is the proof.
 */
export async function verifyAnonymousToken(
  token: string,
  header: Record<string, unknown>,
  options: AnonymousOptions & { now: () => number; clockTolerance: number },
): Promise<JWTPayload & { sub: string }> {
  if (header.alg !== 'ES256')
    throw new VerificationError('alg_not_allowed', 'Anonymous tokens are ES256')
  const jwk = embeddedPublicKey(header)
  const expected = await anonymousIdFromJwk(jwk)
  let unverified: JWTPayload
  try {
    unverified = decodeJwt(token)
  } catch (error) {
    throw new VerificationError('malformed', 'The token is not a JWT', error)
  }
  if (unverified.sub !== expected)
    throw new VerificationError(
      'thumbprint_mismatch',
      "The token's sub is not its key's thumbprint",
    )
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, await importJWK(jwk, 'ES256'), {
      issuer: ANONYMOUS_ISSUER,
      audience: options.audience,
      algorithms: ['ES256'],
      typ: ANONYMOUS_TYP,
      currentDate: new Date(options.now()),
      clockTolerance: options.clockTolerance,
      requiredClaims: ['iat', 'exp', 'sub'],
    }))
  } catch (error) {
    throw fromJoseError(error)
  }
  checkTokenTimes(payload, {
    nowMs: options.now(),
    futureSec: ANONYMOUS_MAX_FUTURE_IAT_SEC,
    maxLifetimeSec: options.maxLifetimeSec ?? ANONYMOUS_MAX_LIFETIME_SEC,
    requireIat: true,
  })
  if (await options.isLinked?.(expected))
    throw new VerificationError(
      'anonymous_not_accepted',
      'This anonymous identity was linked to an account; sign in with the account',
    )
  return payload as JWTPayload & { sub: string }
}
