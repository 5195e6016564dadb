import { decodeJwt, type JwtHeader, type JwtPayload } from '@keyway/core'

/** What the panel shows of a token: its decoded header and claims. Never the signature. */
export interface TokenClaims {
  header: JwtHeader
  payload: JwtPayload
  /** `exp − iat` in ms, when the token has both. */
  lifetimeMs: number | null
}

/**
 * Decodes the header and claims of `token` (no verification). The token itself is not kept:
 * the panel must never put a whole token, or its signature, in the page. `undefined` for a
 * token that is not a JWT.
 */
export function tokenClaims(token: string): TokenClaims | undefined {
  try {
    const { header, payload } = decodeJwt(token)
    const { exp, iat } = payload
    return {
      header,
      payload,
      lifetimeMs: exp !== undefined && iat !== undefined ? (exp - iat) * 1000 : null,
    }
  } catch {
    return undefined
  }
}
