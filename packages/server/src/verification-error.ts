import { KeywayError, type KeywayErrorCode } from '@keyway/core'

/** Why a token was refused: a stable string for logs and metrics (never the token). */
export type RejectionReason =
  | 'malformed'
  | 'alg_none'
  | 'alg_not_allowed'
  | 'bad_signature'
  | 'unknown_kid'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'unknown_issuer'
  | 'bad_audience'
  | 'unknown_crit'
  | 'lifetime_too_long'
  | 'thumbprint_mismatch'
  | 'missing_claim'
  | 'wrong_type'
  | 'anonymous_not_accepted'
  | 'jwks_unavailable'
  | 'no_token'
  | 'reserved_sub'
  | 'claim_mismatch'
  | 'ambiguous_key'

/**
 * A refused token: `code` is `ERR_TOKEN_EXPIRED` or `ERR_INVALID_TOKEN`, `reason` says
 * exactly why, the message never contains the token. Only `jwks_unavailable` is transient
 * (the provider's keys could not be fetched): answer 503 for it, 401 for the rest.
 *
 * @example
 * ```ts
 * try {
 *   await verifier.verifyRequest(request)
 * } catch (e) {
 *   if (e instanceof VerificationError) return new Response(e.reason, { status: e.transient ? 503 : 401 })
 *   throw e
 * }
 * ```
 */
export class VerificationError extends KeywayError {
  readonly reason: RejectionReason

  constructor(reason: RejectionReason, message: string, cause?: unknown) {
    const code: KeywayErrorCode = reason === 'expired' ? 'ERR_TOKEN_EXPIRED' : 'ERR_INVALID_TOKEN'
    super(code, message, { transient: reason === 'jwks_unavailable', cause })
    this.reason = reason
  }
}

/** Maps jose's error codes to keyway's reasons (jose's message, which never holds the token, stays in `cause`). */
export function fromJoseError(error: unknown): VerificationError {
  if (error instanceof VerificationError) return error
  const e = error as { code?: string; claim?: string; reason?: string; message?: string }
  // jose reports an unrecognised `crit` parameter under several codes; it is one refusal.
  if (/crit|Extension Header Parameter/i.test(e.message ?? ''))
    return new VerificationError('unknown_crit', 'The token has an unknown critical header', error)
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return new VerificationError('expired', 'The token is expired', error)
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new VerificationError('bad_signature', 'The signature does not verify', error)
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new VerificationError(
        'unknown_kid',
        "No key in the provider's JWKS matches the token",
        error,
      )
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new VerificationError(
        'alg_not_allowed',
        'The token is signed with an algorithm not allowed here',
        error,
      )
    case 'ERR_JWKS_TIMEOUT':
      return new VerificationError(
        'jwks_unavailable',
        "The provider's JWKS could not be fetched",
        error,
      )
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new VerificationError(
        'ambiguous_key',
        "The token names no kid and several keys of the provider's JWKS fit it",
        error,
      )
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      // A claim that is absent or not of its type is missing, whichever claim it is (a guest
      // token without iat); only a present, well-typed value can be in the future.
      if (e.reason !== 'check_failed' && e.claim !== 'aud' && e.claim !== 'iss')
        return new VerificationError(
          'missing_claim',
          `The token's "${e.claim}" claim is missing or not valid`,
          error,
        )
      if (e.claim === 'nbf')
        return new VerificationError('not_yet_valid', 'The token is not valid yet', error)
      if (e.claim === 'aud')
        return new VerificationError('bad_audience', 'The token is for another audience', error)
      if (e.claim === 'iss')
        return new VerificationError('unknown_issuer', 'The token has another issuer', error)
      if (e.claim === 'iat')
        return new VerificationError('issued_in_future', 'The token is issued in the future', error)
      if (e.claim === 'typ')
        return new VerificationError('wrong_type', 'The token has the wrong typ header', error)
      return new VerificationError(
        'missing_claim',
        `The token's "${e.claim}" claim is invalid`,
        error,
      )
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return new VerificationError('malformed', 'The token is not a valid JWS', error)
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new VerificationError(
        'alg_not_allowed',
        'The token uses an unsupported algorithm',
        error,
      )
    case 'ERR_JOSE_GENERIC':
      return new VerificationError(
        'jwks_unavailable',
        "The provider's JWKS could not be fetched",
        error,
      )
    default:
      return new VerificationError('malformed', 'The token could not be verified', error)
  }
}
