import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'

/**
 * A local HTTP DOUBLE of the Supabase Auth (GoTrue) API — no Supabase Auth server runs
 * here. It implements what supabase-js calls, with the shapes read from @supabase/auth-js:
 * password and refresh_token grants with refresh-token rotation and reuse detection,
 * signup (also anonymous), GET/PUT user, logout, and the JWKS; access tokens are ES256.
 */
export async function startGoTrueDouble(options: { lifetimeSec?: number } = {}) {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'gotrue-double', alg: 'ES256', use: 'sig' }
  interface User {
    id: string
    email?: string
    password?: string
    is_anonymous: boolean
  }
  interface Refresh {
    userId: string
    family: string
    used: boolean
    revoked: boolean
  }
  const users = new Map<string, User>()
  const refreshTokens = new Map<string, Refresh>()
  const sockets = new Set<Socket>()
  const state = {
    mode: 'ok' as 'ok' | '503' | '429' | 'down',
    requests: 0,
    lifetimeSec: options.lifetimeSec ?? 3600,
  }
  let url = ''

  const userJson = (u: User) => ({
    id: u.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: u.email ?? '',
    is_anonymous: u.is_anonymous,
    app_metadata: {
      provider: u.is_anonymous ? 'anonymous' : 'email',
      providers: u.is_anonymous ? [] : ['email'],
    },
    user_metadata: {},
    identities: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  })

  async function session(u: User, family: string = crypto.randomUUID()) {
    const iat = Math.floor(Date.now() / 1000)
    const access_token = await new SignJWT({
      role: 'authenticated',
      is_anonymous: u.is_anonymous,
      session_id: family,
    })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
      .setIssuer(`${url}/auth/v1`)
      .setAudience('authenticated')
      .setSubject(u.id)
      .setIssuedAt(iat)
      .setJti(crypto.randomUUID())
      .setExpirationTime(iat + state.lifetimeSec)
      .sign(privateKey)
    const refresh_token = crypto.randomUUID().replace(/-/g, '')
    refreshTokens.set(refresh_token, { userId: u.id, family, used: false, revoked: false })
    return {
      access_token,
      token_type: 'bearer',
      expires_in: state.lifetimeSec,
      expires_at: iat + state.lifetimeSec,
      refresh_token,
      user: userJson(u),
    }
  }

  const error = (status: number, code: string, msg: string) => ({
    status,
    body: { code, error_code: code, msg },
  })

  async function bearerUser(header: string | undefined): Promise<User | undefined> {
    const token = header?.replace(/^Bearer /i, '')
    if (!token) return undefined
    try {
      const { payload } = await jwtVerify(token, publicKey, { audience: 'authenticated' })
      return users.get(payload.sub!)
    } catch {
      return undefined
    }
  }

  async function route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
    auth?: string,
  ) {
    if (path === '/auth/v1/.well-known/jwks.json') return { status: 200, body: { keys: [jwk] } }
    if (method === 'POST' && path === '/auth/v1/signup') {
      if (typeof body.email !== 'string') {
        const u: User = { id: crypto.randomUUID(), is_anonymous: true }
        users.set(u.id, u)
        return { status: 200, body: await session(u) }
      }
      if ([...users.values()].some((u) => u.email === body.email))
        return error(422, 'user_already_exists', 'User already registered')
      const u: User = {
        id: crypto.randomUUID(),
        email: body.email,
        password: String(body.password),
        is_anonymous: false,
      }
      users.set(u.id, u)
      return { status: 200, body: await session(u) }
    }
    if (method === 'POST' && path === '/auth/v1/token' && query.get('grant_type') === 'password') {
      const u = [...users.values()].find(
        (x) => x.email === body.email && x.password === body.password,
      )
      if (!u) return error(400, 'invalid_credentials', 'Invalid login credentials')
      return { status: 200, body: await session(u) }
    }
    if (
      method === 'POST' &&
      path === '/auth/v1/token' &&
      query.get('grant_type') === 'refresh_token'
    ) {
      const r = refreshTokens.get(String(body.refresh_token))
      if (!r || r.revoked)
        return error(
          400,
          'refresh_token_not_found',
          'Invalid Refresh Token: Refresh Token Not Found',
        )
      if (r.used) {
        // Reuse detection: a rotated token came back, so the whole family is revoked.
        for (const other of refreshTokens.values())
          if (other.family === r.family) other.revoked = true
        return error(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used')
      }
      r.used = true
      const u = users.get(r.userId)
      if (!u) return error(400, 'user_not_found', 'User not found')
      return { status: 200, body: await session(u, r.family) }
    }
    if (path === '/auth/v1/user') {
      const u = await bearerUser(auth)
      if (!u) return error(401, 'bad_jwt', 'invalid JWT')
      if (method === 'GET') return { status: 200, body: userJson(u) }
      if (method === 'PUT') {
        if (typeof body.email === 'string') {
          if ([...users.values()].some((x) => x.email === body.email && x.id !== u.id))
            return error(
              422,
              'email_exists',
              'A user with this email address has already been registered',
            )
          u.email = body.email
          u.is_anonymous = false
        }
        if (typeof body.password === 'string') u.password = body.password
        return { status: 200, body: userJson(u) }
      }
    }
    if (method === 'POST' && path === '/auth/v1/logout') {
      const u = await bearerUser(auth)
      if (u) for (const r of refreshTokens.values()) if (r.userId === u.id) r.revoked = true
      return { status: 204, body: undefined }
    }
    return error(404, 'not_found', `${method} ${path} is not in the double`)
  }

  const server: Server = createServer((req, res) => {
    if (state.mode === 'down') return req.socket.destroy()
    state.requests++
    let raw = ''
    req.on('data', (c) => {
      raw += c
    })
    req.on('end', async () => {
      if (state.mode === '503') {
        res.statusCode = 503
        return res.end('{"msg":"Service Unavailable"}')
      }
      if (state.mode === '429') {
        // GoTrue's rate limit answer (its `over_request_rate_limit` error code).
        res.statusCode = 429
        res.setHeader('content-type', 'application/json')
        return res.end(
          '{"code":429,"error_code":"over_request_rate_limit","msg":"Request rate limit reached"}',
        )
      }
      const u = new URL(req.url ?? '/', 'http://x')
      const { status, body } = await route(
        req.method ?? 'GET',
        u.pathname,
        u.searchParams,
        raw ? JSON.parse(raw) : {},
        req.headers.authorization,
      )
      res.statusCode = status
      res.setHeader('content-type', 'application/json')
      res.end(body === undefined ? '' : JSON.stringify(body))
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    state,
    users,
    /** Revokes every refresh token of a user, as a ban or "sign out everywhere" would. */
    revokeUser(userId: string) {
      for (const r of refreshTokens.values()) if (r.userId === userId) r.revoked = true
    },
    outage(mode: 'ok' | '503' | '429' | 'down') {
      state.mode = mode
      if (mode === 'down') for (const s of sockets) s.destroy()
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
