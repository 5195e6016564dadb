import { decodeProtectedHeader } from 'jose'
import { VerificationError } from './verification-error.js'

/** Longest token accepted, in characters: far above any provider's, small enough to parse cheaply. */
export const MAX_TOKEN_CHARS = 16_384

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** Char code → base64url value, -1 outside the alphabet. */
const VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i

/** Whether `segment[start, end)` is canonical base64url (see `isCanonicalBase64url`). */
function canonicalRange(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code > 127 || VALUE[code]! < 0) return false
  }
  const tail = (end - start) % 4
  if (tail === 1) return false
  if (tail === 0) return true
  return (VALUE[text.charCodeAt(end - 1)]! & (tail === 2 ? 0x0f : 0x03)) === 0
}

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
  return canonicalRange(segment, 0, segment.length)
}

/**
 * Refuses (`malformed`) anything that is not a compact JWS spelled canonically: three
 * segments, each canonical base64url, header and payload non-empty; resolves the protected
 * header. Every token the server reads (provider, guest, link proof) passes through here
 * first, in one pass over its characters (it runs on every request).
 */
export function compactHeader(token: unknown): Record<string, unknown> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS)
    throw new VerificationError('malformed', 'No token, or not a JWS')
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (
    first < 1 ||
    second < first + 2 ||
    token.indexOf('.', second + 1) !== -1 ||
    !canonicalRange(token, 0, first) ||
    !canonicalRange(token, first + 1, second) ||
    !canonicalRange(token, second + 1, token.length)
  )
    throw new VerificationError('malformed', 'The token is not a canonical compact JWS')
  return headerOf(token, first)
}

/** The header JSON; ASCII (as headers are) straight from atob, anything else through jose. */
function headerOf(token: string, end: number): Record<string, unknown> {
  let header: unknown
  try {
    const text = atob(token.slice(0, end).replace(/-/g, '+').replace(/_/g, '/'))
    header = /[^\x20-\x7e]/.test(text) ? decodeProtectedHeader(token) : JSON.parse(text)
  } catch (error) {
    throw new VerificationError('malformed', 'The token header is not JSON', error)
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new VerificationError('malformed', 'The token header is not a JSON object')
  return header as Record<string, unknown>
}
