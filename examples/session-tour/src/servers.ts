import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'

export interface TourServers {
  tokenUrl: string
  jwksUrl: string
  apiUrl: string
  /** Tokens issued so far. */
  issued(): number
  /** The token endpoint answers 503 while on. */
  outage(on: boolean): void
  /** The API answers 401 to the next request, as a backend with a revoked key would. */
  rejectNextRequest(): void
  /** The token endpoint answers 401 from now on: nobody is signed in. */
  signOut(): void
  close(): Promise<void>
}

function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler)
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  )
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/**
 * The embedded stack of the tour: an issuer (token endpoint + JWKS) and a data API that
 * verifies bearer tokens against the issuer's JWKS, as PowerSync or the Neon Data API do.
 */
export async function startTourServers(options: { lifetimeSec: number }): Promise<TourServers> {
  const { publicKey, privateKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'tour-1', alg: 'ES256', use: 'sig' }
  let issued = 0
  let down = false
  let signedIn = true
  let rejectNext = false

  const issuer = await listen(async (req, res) => {
    if (req.url === '/.well-known/jwks.json') return json(res, 200, { keys: [jwk] })
    if (req.url !== '/token' || req.method !== 'POST') return json(res, 404, { error: 'not_found' })
    if (down) return json(res, 503, { error: 'unavailable' })
    if (!signedIn) return json(res, 401, { error: 'signed_out' })
    issued++
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'tour-1', typ: 'JWT' })
      .setIssuer(issuerUrl)
      .setAudience('tour-api')
      .setSubject('user_ada')
      .setIssuedAt()
      .setExpirationTime(`${options.lifetimeSec}s`)
      .sign(privateKey)
    json(res, 200, { token })
  })
  const issuerUrl = issuer.url
  const jwks = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`))

  const api = await listen(async (req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? ''
    if (rejectNext) {
      rejectNext = false
      return json(res, 401, { error: 'rejected' })
    }
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: issuerUrl, audience: 'tour-api' })
      json(res, 200, { owner: payload.sub, notes: ['buy milk'] })
    } catch {
      json(res, 401, { error: 'invalid_token' })
    }
  })

  return {
    tokenUrl: `${issuer.url}/token`,
    jwksUrl: `${issuer.url}/.well-known/jwks.json`,
    apiUrl: api.url,
    issued: () => issued,
    outage: (on) => {
      down = on
    },
    rejectNextRequest: () => {
      rejectNext = true
    },
    signOut: () => {
      signedIn = false
    },
    close: () =>
      Promise.all(
        [issuer.server, api.server].map(
          (s) =>
            new Promise<void>((r) => {
              s.closeAllConnections()
              s.close(() => r())
            }),
        ),
      ).then(() => undefined),
  }
}
