import { type JWTVerifyGetKey, type JWTVerifyOptions, jwtVerify } from 'jose'
import { VerificationError } from './verification-error.js'

/** How many keys a kid-less token is tried against before it is refused as ambiguous. */
const MAX_CANDIDATE_KEYS = 8

/**
 * jose's `jwtVerify`, and for a token without `kid` that several JWKS keys fit (jose's
 * `ERR_JWKS_MULTIPLE_MATCHING_KEYS`), each candidate in turn, as jose leaves to the caller:
 * at most `MAX_CANDIDATE_KEYS`, so a kid-less token cannot buy thousands of signature checks.
 */
export async function verifyWithCandidates(
  token: string,
  keys: JWTVerifyGetKey,
  checks: JWTVerifyOptions,
) {
  try {
    return (await jwtVerify(token, keys, checks)).payload
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error
    let tried = 0
    for await (const key of error as AsyncIterable<CryptoKey>) {
      if (++tried > MAX_CANDIDATE_KEYS) throw error
      try {
        return (await jwtVerify(token, key, checks)).payload
      } catch (failure) {
        if ((failure as { code?: string }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
          throw failure
      }
    }
    throw new VerificationError('bad_signature', 'The signature does not verify with any key')
  }
}
