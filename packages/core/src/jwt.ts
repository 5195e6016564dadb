import { base64UrlToBytes } from './base64url.js'
import { KeywayError } from './errors.js'

/** The registered claims keyway reads, plus whatever else the token carries. */
export interface JwtPayload {
  iss?: string
  sub?: string
  aud?: string | string[]
  exp?: number
  nbf?: number
  iat?: number
  jti?: string
  [claim: string]: unknown
}

export interface JwtHeader {
  alg?: string
  typ?: string
  kid?: string
  [parameter: string]: unknown
}

export interface DecodedJwt {
  header: JwtHeader
  payload: JwtPayload
}

const decoder = new TextDecoder('utf-8', { fatal: true })

function decodePart(part: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    // No bytes (not base64url) decode to "", which is not JSON either.
    value = JSON.parse(decoder.decode(base64UrlToBytes(part)))
  } catch (cause) {
    throw malformed(`its ${what} is not base64url JSON`, cause)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw malformed(`its ${what} is not a JSON object`)
  return value as Record<string, unknown>
}

function malformed(why: string, cause?: unknown): KeywayError {
  return new KeywayError('ERR_MALFORMED_TOKEN', `The token is not a JWT: ${why}`, {
    transient: false,
    cause,
  })
}

const NUMERIC_CLAIMS = ['exp', 'nbf', 'iat'] as const

/**
 * Decodes a compact JWS without verifying it: keyway reads `exp`, `iat` and `sub` to
 * schedule refreshes, and leaves verification to the backend (`@keyway/server`).
 * Any input that is not a JWT throws a `KeywayError` with code `ERR_MALFORMED_TOKEN`;
 * the message never contains the token.
 *
 * @example
 * ```ts
 * const { payload } = decodeJwt(token)
 * console.log(payload.sub, payload.exp)
 * ```
 */
export function decodeJwt(token: unknown): DecodedJwt {
  if (typeof token !== 'string' || token.length > 64 * 1024)
    throw malformed('it is not a string of at most 64 KiB')
  const parts = token.split('.')
  if (parts.length !== 3) throw malformed(`it has ${parts.length} parts instead of 3`)
  const header = decodePart(parts[0]!, 'header') as JwtHeader
  const payload = decodePart(parts[1]!, 'payload') as JwtPayload
  for (const claim of NUMERIC_CLAIMS) {
    const v = payload[claim]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v)))
      throw malformed(`its "${claim}" claim is not a number`)
  }
  if (payload.sub !== undefined && typeof payload.sub !== 'string')
    throw malformed('its "sub" claim is not a string')
  return { header, payload }
}
