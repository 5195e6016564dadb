import { VerificationError } from './verification-error.js'

/** Longest token accepted, in characters: far above any provider's, small enough to parse cheaply. */
export const MAX_TOKEN_CHARS = 16_384

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * Whether `segment` is the one base64url spelling of its bytes: the alphabet only, no
 * padding, no impossible length, and the spare low bits of the last character zero. A
 * decoder ignores those bits, so without this check `…Q` and `…R` would be two strings of
 * one signature, and a deny-list or rate limit keyed on the token string would miss one.
 *
 * @example
 * ```ts
 * isCanonicalBase64url('AQ') // true
 * isCanonicalBase64url('AR') // false: same byte, spare bits set
 * ```
 */
export function isCanonicalBase64url(segment: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return false
  const tail = segment.length % 4
  if (tail === 1) return false
  if (tail === 0) return true
  const last = ALPHABET.indexOf(segment[segment.length - 1]!)
  return (last & (tail === 2 ? 0x0f : 0x03)) === 0
}

/**
 * Refuses (`malformed`) anything that is not a compact JWS spelled canonically: three
 * segments, each canonical base64url, header and payload non-empty. Every token the server
 * reads (provider, guest, link proof) passes through here first.
 */
export function assertCompactJws(token: unknown): asserts token is string {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS)
    throw new VerificationError('malformed', 'No token, or not a JWS')
  const parts = token.split('.')
  if (
    parts.length !== 3 ||
    parts[0] === '' ||
    parts[1] === '' ||
    !parts.every(isCanonicalBase64url)
  )
    throw new VerificationError('malformed', 'The token is not a canonical compact JWS')
}
