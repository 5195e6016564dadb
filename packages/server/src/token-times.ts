import type { JWTPayload } from 'jose'
import { VerificationError } from './verification-error.js'

/** Longest `exp - iat` of a provider token accepted by default, seconds (24 h). */
export const DEFAULT_MAX_LIFETIME_SEC = 86_400

/**
 * The time rules jose leaves open, for every token kind: `iat`, when present (or
 * `requireIat`), is a finite number at most `futureSec` ahead of now; `exp` is finite and at
 * most `maxLifetimeSec` after `iat` (after now, for a token without `iat`), so a token
 * minted with `exp: 1e400` or a year-long life is refused. `exp` itself (expired or not) is
 * jose's check.
 *
 * @example
 * ```ts
 * checkTokenTimes(payload, { nowMs: Date.now(), futureSec: 5, maxLifetimeSec: 86_400 })
 * ```
 */
export function checkTokenTimes(
  claims: JWTPayload,
  rule: { nowMs: number; futureSec: number; maxLifetimeSec: number; requireIat?: boolean },
): void {
  const nowSec = rule.nowMs / 1000
  const { iat, exp } = claims
  if (iat === undefined && rule.requireIat)
    throw new VerificationError('missing_claim', 'The token has no iat')
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat)))
    throw new VerificationError('missing_claim', 'The token\'s "iat" claim is not a number')
  if (iat !== undefined && iat > nowSec + rule.futureSec)
    throw new VerificationError('issued_in_future', 'The token is issued in the future')
  if (typeof exp === 'number' && !(exp - (iat ?? nowSec) <= rule.maxLifetimeSec))
    throw new VerificationError('lifetime_too_long', 'The token lives longer than allowed')
}
