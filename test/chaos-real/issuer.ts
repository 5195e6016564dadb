import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

export const ISSUER = 'urn:keyway:chaos-issuer'
export const AUDIENCE = 'urn:keyway:chaos-api'
/** The request header that names the session (a stand-in for its cookie). */
export const SESSION_HEADER = 'x-chaos-session'

/** One token request as the issuer saw it. */
export interface IssuerCall {
  session: string
  /** Wall-clock ms at which the request arrived. */
  at: number
  reason: string
  forceRefresh: boolean
  /** `jti` of the token minted for it. */
  jti: string
}

/** How the issuer treats one session's requests. */
export interface IssuerClient {
  /** Lifetime of the tokens it mints, in seconds (`exp - iat`). */
  lifetimeSec: number
  /** Mint with a foreign audience: every backend rejects them (a misconfigured audience). */
  wrongAudience?: boolean
}

/**
 * A real token issuer on 127.0.0.1, the app's own token endpoint as `@keyway/http` expects it:
 * `POST /token` mints an ES256 JWT (jose) for the session named by {@link SESSION_HEADER},
 * `GET /jwks` publishes the key. Every answer closes its connection, so a fault proxy in front
 * sees each request on a connection of its own and can fault them one by one.
 */
export async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'chaos-1', alg: 'ES256', use: 'sig' }
  const clients = new Map<string, IssuerClient>()
  const calls: IssuerCall[] = []

  const server: Server = createServer(async (req, res) => {
    res.setHeader('connection', 'close')
    if (req.url === '/jwks') {
      res.setHeader('content-type', 'application/json')
      return res.end(JSON.stringify({ keys: [jwk] }))
    }
    const session = String(req.headers[SESSION_HEADER] ?? '')
    const client = clients.get(session)
    const body = await readJson(req)
    if (req.url !== '/token' || !client) {
      res.statusCode = client ? 404 : 401
      return res.end()
    }
    const jti = crypto.randomUUID()
    calls.push({
      session,
      at: Date.now(),
      reason: String(body.reason ?? ''),
      forceRefresh: body.forceRefresh === true,
      jti,
    })
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(client.wrongAudience ? 'urn:keyway:some-other-api' : AUDIENCE)
      .setSubject(`user-${session}`)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(`${client.lifetimeSec}s`)
      .sign(privateKey)
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ token }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    jwksUrl: `${origin}/jwks`,
    calls,
    /** Signs `session` in (or changes how it is served). */
    client(session: string, client: IssuerClient): void {
      clients.set(session, client)
    },
    callsOf: (session: string) => calls.filter((c) => c.session === session),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type Issuer = Awaited<ReturnType<typeof startIssuer>>

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of req) text += chunk
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return {}
  }
}
