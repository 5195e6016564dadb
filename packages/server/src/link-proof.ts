import { base64url, decodeJwt, importJWK, type JWK, type JWTPayload, jwtVerify } from 'jose'
import {
  ANONYMOUS_ISSUER,
  ANONYMOUS_MAX_FUTURE_IAT_SEC,
  anonymousIdFromJwk,
  embeddedPublicKey,
} from './anonymous.js'
import { compactHeader } from './compact-jws.js'
import { LinkError } from './link-error.js'

/** The `typ` header of keyway link proofs. */
export const LINK_TYP = 'keyway-link+jwt'
/** A link proof lives this long (`exp - iat`), seconds. */
export const LINK_PROOF_LIFETIME_SEC = 120

/** The protected header of a link proof: signed by the guest's device key, which it carries. */
export interface LinkProofHeader {
  alg: 'ES256'
  typ: typeof LINK_TYP
  jwk: JWK
}

/** The claims of a link proof. */
export interface LinkProofClaims {
  iss: typeof ANONYMOUS_ISSUER
  /** The anonymous id being linked: `anon_` + the thumbprint of the header's `jwk`. */
  sub: string
  /** The absolute URL of the link endpoint. */
  aud: string
  /** The single-use nonce from `POST …/challenge`. */
  nonce: string
  /** Single-use proof id. */
  jti: string
  iat: number
  /** `iat + 120`. */
  exp: number
  /** base64url(SHA-256(provider token)): binds the proof to one provider token. */
  pth: string
}

/** What a verified proof says; nonce and `jti` are still to be consumed. */
export interface VerifiedLinkProof {
  anonymousId: string
  nonce: string
  jti: string
  /** Epoch seconds. */
  exp: number
}

/**
 * `pth` of a provider token: base64url(SHA-256(token)).
 *
 * @example
 * ```ts
 * const pth = await providerTokenHash(providerToken) // 43 base64url characters
 * ```
 */
export async function providerTokenHash(providerToken: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(providerToken))
  return base64url.encode(new Uint8Array(digest))
}

/**
 * Verifies a link proof: signed by the device key it embeds, `sub` = that key's anonymous
 * id, for this link endpoint, at most two minutes long, and bound to `providerToken` by
 * `pth`. Nonce and `jti` are left to the caller (they need the store).
 *
 * @example
 * ```ts
 * const proven = await verifyLinkProof(proof, providerToken, { audience: linkAudience, now: Date.now() })
 * await store.consumeJti(proven.jti, proven.exp * 1000)
 * ```
 */
export async function verifyLinkProof(
  proof: string,
  providerToken: string,
  options: { audience: string; now: number; clockTolerance?: number },
): Promise<VerifiedLinkProof> {
  let header: Record<string, unknown>
  let unverified: JWTPayload
  try {
    header = compactHeader(proof)
    unverified = decodeJwt(proof)
  } catch (cause) {
    throw new LinkError('bad_proof', 'The link proof is not a JWS', cause)
  }
  if (header.typ !== LINK_TYP || header.alg !== 'ES256')
    throw new LinkError('bad_proof', 'Not a keyway link proof')
  let jwk: JWK
  try {
    jwk = embeddedPublicKey(header)
  } catch (cause) {
    throw new LinkError('bad_proof', 'The link proof carries no P-256 public key', cause)
  }
  const anonymousId = await anonymousIdFromJwk(jwk)
  if (unverified.sub !== anonymousId)
    throw new LinkError(
      'thumbprint_mismatch',
      'The proof is not signed by the key of the anonymous id it names',
    )
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(proof, await importJWK(jwk, 'ES256'), {
      issuer: ANONYMOUS_ISSUER,
      audience: options.audience,
      algorithms: ['ES256'],
      typ: LINK_TYP,
      currentDate: new Date(options.now),
      clockTolerance: options.clockTolerance ?? 5,
      requiredClaims: ['iat', 'exp', 'jti', 'sub'],
    }))
  } catch (cause) {
    const code = (cause as { code?: string }).code
    if (code === 'ERR_JWT_EXPIRED')
      throw new LinkError('proof_expired', 'The link proof is expired', cause)
    throw new LinkError('bad_proof', 'The link proof does not verify', cause)
  }
  const { nonce, pth, jti, iat, exp } = payload as Partial<LinkProofClaims>
  if (typeof nonce !== 'string' || typeof pth !== 'string' || typeof jti !== 'string')
    throw new LinkError('bad_proof', 'The link proof lacks nonce, pth or jti')
  if (exp! - iat! > LINK_PROOF_LIFETIME_SEC)
    throw new LinkError('bad_proof', 'The link proof lives longer than two minutes')
  if (iat! * 1000 > options.now + ANONYMOUS_MAX_FUTURE_IAT_SEC * 1000)
    throw new LinkError('bad_proof', 'The link proof is issued in the future')
  if (pth !== (await providerTokenHash(providerToken)))
    throw new LinkError('pth_mismatch', 'The link proof was made for another provider token')
  return { anonymousId, nonce, jti, exp: exp! }
}
