import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

/**
 * A real token endpoint on loopback, like an app backend: a session cookie names the user,
 * POST /token mints an ES256 JWT for them. Switches make it fail the way real ones do.
 */
export async function startTokenServer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
  const sessions = new Map<string, string>() // sid -> user
  const state = {
    mode: 'ok' as 'ok' | '503' | '429' | 'garbage' | 'empty' | 'reset-mid-body' | 'truncated',
    retryAfter: '30',
    requests: 0,
    lifetimeSec: 60,
  }
  const server: Server = createServer(async (req, res) => {
    if (req.url === '/jwks') {
      res.setHeader('content-type', 'application/json')
      return res.end(JSON.stringify({ keys: [jwk] }))
    }
    state.requests++
    if (state.mode === '503') {
      res.statusCode = 503
      return res.end('unavailable')
    }
    if (state.mode === '429') {
      res.statusCode = 429
      res.setHeader('retry-after', state.retryAfter)
      return res.end('slow down')
    }
    if (state.mode === 'garbage') return res.end('<html>not json</html>')
    if (state.mode === 'reset-mid-body') {
      // Headers and half the promised body go out, then the TCP connection is reset.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' })
      res.write('{"token":"eyJhbGciOiJFUzI1NiJ9.')
      setTimeout(() => res.socket?.resetAndDestroy(), 20)
      return
    }
    if (state.mode === 'truncated') {
      // A complete HTTP answer whose JSON stops half way (a proxy that cut it, a crashed writer).
      res.setHeader('content-type', 'application/json')
      return res.end('{"token":"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZGEifQ')
    }
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]
    const user = sid ? sessions.get(sid) : undefined
    if (!user) {
      res.statusCode = 401
      return res.end('{"error":"no session"}')
    }
    res.setHeader('content-type', 'application/json')
    if (state.mode === 'empty') return res.end('{}')
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject(user)
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(`${state.lifetimeSec}s`)
      .sign(privateKey)
    res.end(JSON.stringify({ token, endpoint: 'https://sync.example.test' }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: `${url}/token`,
    state,
    /** Creates a server-side session for `user`; returns its cookie. */
    signIn(user: string): string {
      const sid = crypto.randomUUID()
      sessions.set(sid, user)
      return `sid=${sid}`
    },
    /** Ends every session of every user (revocation). */
    revokeAll(): void {
      sessions.clear()
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
