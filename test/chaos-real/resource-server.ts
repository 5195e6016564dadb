import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose'
import { AUDIENCE, ISSUER, SESSION_HEADER } from './issuer.js'

/** One request as the resource server answered it. */
export interface ResourceHit {
  session: string
  at: number
  jti: string | undefined
  status: 200 | 401
  /** Why a 401: the token failed verification, or it is one this server revoked. */
  why?: 'invalid' | 'revoked'
}

/**
 * A data API on 127.0.0.1 that verifies every bearer token with jose against the issuer's
 * JWKS (fetched over HTTP, cached by jose), like PowerSync or the Neon Data API. For a
 * session with a `revokeShare` it revokes that share of requests' valid tokens, as a key
 * rotation or a revoked session would: the request that drew it, and every later one carrying
 * the token, get 401.
 */
export async function startResourceServer(jwksUrl: string) {
  const jwks = createRemoteJWKSet(new URL(jwksUrl))
  const revoked = new Set<string>()
  const hits: ResourceHit[] = []
  const state = { revokeShare: {} as Record<string, number> }

  const server: Server = createServer(async (req, res) => {
    const session = String(req.headers[SESSION_HEADER] ?? '')
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const hit: ResourceHit = { session, at: Date.now(), jti: undefined, status: 200 }
    hits.push(hit)
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: AUDIENCE })
      hit.jti = payload.jti
    } catch {
      hit.jti = jtiOf(token)
      hit.status = 401
      hit.why = 'invalid'
    }
    const jti = hit.jti
    if (hit.status === 200 && jti) {
      if (Math.random() < (state.revokeShare[session] ?? 0)) revoked.add(jti)
      if (revoked.has(jti)) {
        hit.status = 401
        hit.why = 'revoked'
      }
    }
    res.statusCode = hit.status
    res.setHeader('content-type', 'application/json')
    res.end(hit.status === 200 ? '{"rows":[]}' : '{"error":"invalid_token"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/data`,
    state,
    hits,
    revoked,
    /** Revokes the token with this `jti` at once. */
    revoke(jti: string): void {
      revoked.add(jti)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type ResourceServer = Awaited<ReturnType<typeof startResourceServer>>

function jtiOf(token: string): string | undefined {
  try {
    return decodeJwt(token).jti
  } catch {
    return undefined
  }
}
