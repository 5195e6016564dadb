import { KeywayError } from '@keyway/core'

/**
 * Why a link was refused, with the HTTP status the handler answers. The client
 * (`@keyway/core`'s upgrade) treats 5xx as "try again later" and the rest as final.
 *
 * @example
 * ```ts
 * LINK_REASONS.already_linked // 409
 * ```
 */
export const LINK_REASONS = {
  /** The body is not `{ providerToken, proof }`. */
  bad_request: 400,
  /** The body is larger than the handler reads (64 KiB by default). */
  body_too_large: 413,
  /** The "provider token" is a keyway guest token. */
  anonymous_provider_token: 400,
  /** The provider token does not verify (signature, issuer, audience, expiry). */
  provider_token_invalid: 401,
  /** The proof is malformed, for another endpoint, or its signature does not verify. */
  bad_proof: 401,
  /** The proof names an anonymous id that is not the thumbprint of the key that signed it. */
  thumbprint_mismatch: 401,
  /** The proof is past its two minutes. */
  proof_expired: 401,
  /** The proof was made for another provider token. */
  pth_mismatch: 401,
  /** The proof's `jti` was used before. */
  replayed: 401,
  /** The challenge nonce is past its two minutes. */
  nonce_expired: 401,
  /** The challenge nonce was never issued (by a server sharing this key), or was used already. */
  nonce_unknown: 401,
  /** The anonymous id is linked to another account. */
  already_linked: 409,
  /** The provider's keys could not be fetched: try again later. */
  provider_unavailable: 503,
} as const

export type LinkRejection = keyof typeof LINK_REASONS

/**
 * A refused link: `code` is `ERR_LINK`, `reason` says why, `status` is the HTTP answer.
 *
 * @example
 * ```ts
 * try {
 *   await links.link({ providerToken, proof })
 * } catch (e) {
 *   if (e instanceof LinkError) return Response.json({ error: e.reason }, { status: e.status })
 *   throw e
 * }
 * ```
 */
export class LinkError extends KeywayError {
  readonly reason: LinkRejection
  readonly status: number

  constructor(reason: LinkRejection, message: string, cause?: unknown) {
    const status = LINK_REASONS[reason]
    super('ERR_LINK', message, { transient: status >= 500, cause })
    this.reason = reason
    this.status = status
  }
}
