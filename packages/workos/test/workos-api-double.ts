/**
 * A local HTTP DOUBLE of the WorkOS User Management API, for testing the real
 * `@workos-inc/authkit-js` client: no WorkOS server can run here. It serves what
 * authkit-js 0.20 calls (read from its source), on 127.0.0.1 with CORS, as the real API does
 * for browser clients:
 *
 * - `POST /user_management/authenticate`, `grant_type` `refresh_token` (rotating: every
 *   refresh token works once) and `authorization_code` (with PKCE S256);
 * - `GET /user_management/sessions/logout?session_id=…` ends the session;
 * - `GET /sso/jwks/<clientId>`: the key set that verifies its access tokens.
 *
 * Access tokens are real ES256 JWTs (jose) with `iss`
 * `<origin>/user_management/<clientId>`, `sub` = `user_<name>`, `sid`, `jti`, `iat` and `exp`
 * (5 minutes, WorkOS's default). A dead refresh token answers 400
 * `{"error":"invalid_grant", …}` (RFC 6749 §5.2); authkit-js classifies refresh failures by
 * HTTP status only (408, 429, 5xx transient; any other status final).
 */
import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

export type OutageMode =
  /** Serve normally. */
  | 'ok'
  /** Destroy every socket as it connects: the client's fetch fails with a network error. */
  | 'down'
  /** Answer 503, as a WorkOS incident would. */
  | 'unavailable'
  /** Answer 520, as Cloudflare in front of WorkOS does when the origin fails. */
  | 'origin-error'

interface SessionRecord {
  id: string
  user: string
  refreshToken: string
  ended: boolean
}

export async function startWorkOSApiDouble(
  options: { clientId?: string; lifetimeSec?: number } = {},
) {
  const clientId = options.clientId ?? 'client_01KEYWAYTEST'
  const lifetimeSec = options.lifetimeSec ?? 300
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const kid = `double-${randomUUID().slice(0, 8)}`
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] }

  const sessions = new Map<string, SessionRecord>()
  const byRefreshToken = new Map<string, SessionRecord>()
  const codes = new Map<string, { user: string; challenge: string }>()
  const revokedUsers = new Set<string>()
  const sockets = new Set<Socket>()
  const state = { requests: 0, refreshes: 0, mode: 'ok' as OutageMode }
  let held: Promise<void> | undefined
  let release = () => {}
  let origin = ''

  const issuer = () => `${origin}/user_management/${clientId}`

  function newRefreshToken(session: SessionRecord): string {
    byRefreshToken.delete(session.refreshToken)
    session.refreshToken = `rt_${randomUUID()}`
    byRefreshToken.set(session.refreshToken, session)
    return session.refreshToken
  }

  function createSession(user: string): SessionRecord {
    const session = { id: `session_${randomUUID()}`, user, refreshToken: '', ended: false }
    sessions.set(session.id, session)
    newRefreshToken(session)
    return session
  }

  async function authenticated(session: SessionRecord) {
    const iat = Math.floor(Date.now() / 1000)
    const accessToken = await new SignJWT({ sid: session.id, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(issuer())
      .setSubject(`user_${session.user}`)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetimeSec)
      .sign(privateKey)
    const now = new Date().toISOString()
    return {
      user: {
        object: 'user',
        id: `user_${session.user}`,
        email: `${session.user}@keyway.test`,
        email_verified: true,
        first_name: session.user,
        last_name: null,
        profile_picture_url: null,
        last_sign_in_at: now,
        created_at: now,
        updated_at: now,
      },
      access_token: accessToken,
      refresh_token: newRefreshToken(session),
      authentication_method: 'Password',
    }
  }

  const invalidGrant = (description: string) => ({
    status: 400,
    body: { error: 'invalid_grant', error_description: description },
  })

  async function authenticate(body: Record<string, unknown>) {
    if (body.client_id !== clientId)
      return { status: 400, body: { error: 'invalid_client', error_description: 'Unknown client' } }
    if (body.grant_type === 'refresh_token') {
      state.refreshes++
      const session = byRefreshToken.get(String(body.refresh_token))
      if (!session) return invalidGrant('Refresh token is invalid or has already been used.')
      if (session.ended || revokedUsers.has(session.user))
        return invalidGrant('Session has already ended.')
      return { status: 200, body: await authenticated(session) }
    }
    if (body.grant_type === 'authorization_code') {
      const grant = codes.get(String(body.code))
      codes.delete(String(body.code))
      const verifier = String(body.code_verifier ?? '')
      const challenge = createHash('sha256').update(verifier).digest('base64url')
      if (!grant || grant.challenge !== challenge) return invalidGrant('Invalid code.')
      return { status: 200, body: await authenticated(createSession(grant.user)) }
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    state.requests++
    if (held) await held
    const url = new URL(req.url ?? '/', origin)
    // CORS, as the WorkOS API answers browser clients.
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
    res.setHeader('access-control-allow-credentials', 'true')
    res.setHeader('access-control-allow-headers', 'content-type, accept')
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS')
    if (req.method === 'OPTIONS') return res.writeHead(204).end()
    if (state.mode === 'unavailable') return res.writeHead(503).end('Service Unavailable')
    if (state.mode === 'origin-error') return res.writeHead(520).end('error code: 520')
    res.setHeader('content-type', 'application/json')
    if (req.method === 'POST' && url.pathname === '/user_management/authenticate') {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const { status, body } = await authenticate(JSON.parse(Buffer.concat(chunks).toString()))
      return res.writeHead(status).end(JSON.stringify(body))
    }
    if (url.pathname === '/user_management/sessions/logout') {
      const session = sessions.get(url.searchParams.get('session_id') ?? '')
      if (session) session.ended = true
      return res.writeHead(200).end('{}')
    }
    if (url.pathname === `/sso/jwks/${clientId}`) return res.end(JSON.stringify(jwks))
    res.writeHead(404).end('{"message":"Not Found"}')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end())
  })
  server.on('connection', (socket) => {
    if (state.mode === 'down') return socket.destroy()
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${port}`

  return {
    clientId,
    port,
    origin,
    jwks,
    state,
    issuer: issuer(),
    jwksUrl: `${origin}/sso/jwks/${clientId}`,
    /** A completed sign-in for `user`: a new session and its first refresh token. */
    signIn(user: string): string {
      revokedUsers.delete(user)
      return createSession(user).refreshToken
    },
    /** The hosted AuthKit page signed `user` in: a code for the PKCE `challenge`. */
    issueCode(user: string, challenge: string): string {
      const code = `code_${randomUUID()}`
      codes.set(code, { user, challenge })
      return code
    },
    /** Revokes every session of `user` (deleted, or sessions revoked in the dashboard). */
    revokeUser(user: string) {
      revokedUsers.add(user)
    },
    outage(mode: OutageMode) {
      state.mode = mode
      if (mode === 'down') for (const s of sockets) s.destroy()
    },
    /** Holds every request until `release()`: a slow network at start-up. */
    hold() {
      held = new Promise((r) => {
        release = () => {
          held = undefined
          r()
        }
      })
      return () => release()
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
