const ALPHABET = /^[A-Za-z0-9_-]*$/

/**
 * Decodes base64url (no padding) to bytes; returns `undefined` for anything else.
 *
 * @example
 * ```ts
 * import { base64UrlToBytes } from '@keyway/core/anonymous'
 *
 * base64UrlToBytes('AQID') // Uint8Array [1, 2, 3]
 * base64UrlToBytes('not base64!') // undefined
 * ```
 */
export function base64UrlToBytes(input: string): Uint8Array | undefined {
  if (!ALPHABET.test(input) || input.length % 4 === 1) return undefined
  const base64 =
    input.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (input.length % 4)) % 4)
  let binary: string
  try {
    binary = atob(base64)
  } catch {
    return undefined
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/**
 * Encodes bytes as base64url without padding.
 *
 * @example
 * ```ts
 * bytesToBase64Url(new Uint8Array([1, 2, 3])) // 'AQID'
 * ```
 */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Encodes a string's UTF-8 bytes as base64url.
 *
 * @example
 * ```ts
 * stringToBase64Url('{"alg":"ES256"}') // 'eyJhbGciOiJFUzI1NiJ9'
 * ```
 */
export function stringToBase64Url(text: string): string {
  return bytesToBase64Url(new TextEncoder().encode(text))
}
