/**
 * A local DOUBLE of the Descope auth API (`https://api.descope.com`), for testing the real
 * `@descope/web-js-sdk`: no Descope can run here. The SDK reaches it through its `baseUrl`
 * option. It answers what web-js-sdk 1.53 (core-js-sdk underneath) sends, read from its code:
 *
 * - every call carries `Authorization: Bearer <projectId>[:<refresh JWT>]` and
 *   `x-descope-project-id`; answers are the bare JSON body;
 * - `POST /v1/auth/password/signin` (a sign-in), `POST /v1/auth/refresh` (a new session JWT for
 *   the refresh JWT), `POST /v1/auth/logout`;
 * - errors as `{ errorCode, errorDescription, errorMessage }` with the HTTP status, which
 *   core-js-sdk returns as `{ ok: false, code, error }` (adding `retryAfter` on a 429); a
 *   revoked refresh JWT is 401 `E061301`.
 *
 * Session JWTs are real ES256 tokens shaped like Descope's: `iss`
 * `https://api.descope.com/<projectId>`, `sub` the user id, `drn: 'DS'`, 10 minutes; refresh
 * JWTs have `drn: 'DSR'` and live 4 weeks.
 */
import { randomUUID } from 'node:crypto'
import { createTokenMinter } from '@keyway/core/testing'
import { type DoubleReply, startApiDouble } from '../../../test/support/api-double.js'

const descopeError = (status: number, errorCode: string, message: string): DoubleReply => ({
  status,
  body: { errorCode, errorDescription: message, errorMessage: message },
})

export async function startDescopeDouble() {
  // 'P' + 27 characters: no region part (core-js-sdk's urlBuilder reads one from longer ids).
  const projectId = `P${randomUUID().replaceAll('-', '').slice(0, 27).toUpperCase()}`
  const minter = await createTokenMinter({ issuer: `https://api.descope.com/${projectId}` })
  /** Refresh JWT → the user it belongs to. */
  const sessions = new Map<string, { user: string; revoked: boolean }>()
  const stats = { refreshes: 0 }
  const userIdOf = (user: string) => `U2${user.toUpperCase().padEnd(25, '0')}`

  async function jwtResponse(refreshJwt: string) {
    const { user } = sessions.get(refreshJwt)!
    const sessionJwt = await minter.mint({ sub: userIdOf(user), drn: 'DS', lifetimeSec: 600 })
    const now = Math.floor(Date.now() / 1000)
    return {
      sessionJwt,
      refreshJwt,
      cookiePath: '/',
      cookieDomain: '',
      cookieMaxAge: 28 * 24 * 3600,
      cookieExpiration: now + 28 * 24 * 3600,
      sessionExpiration: now + 600,
      user: { userId: userIdOf(user), loginIds: [`${user}@keyway.test`], name: user },
      firstSeen: false,
    }
  }

  const api = await startApiDouble(
    async ({ url, headers, body }) => {
      const [bearerProject, refreshJwt] = String(headers.authorization ?? '')
        .replace(/^Bearer /, '')
        .split(':')
      if (bearerProject !== projectId) return descopeError(400, 'E011003', 'Invalid project')
      if (url.pathname === '/v1/auth/password/signin') {
        const user = String(body.loginId).split('@')[0]!
        if (body.password !== `${user}-password`)
          return descopeError(401, 'E062108', 'Invalid login credentials')
        const token = await minter.mint({ sub: userIdOf(user), drn: 'DSR', lifetimeSec: 2419200 })
        sessions.set(token, { user, revoked: false })
        return { body: await jwtResponse(token) }
      }
      const session = refreshJwt ? sessions.get(refreshJwt) : undefined
      if (url.pathname === '/v1/auth/refresh') {
        stats.refreshes++
        if (!session || session.revoked)
          return descopeError(401, 'E061301', 'Invalid refresh token')
        return { body: await jwtResponse(refreshJwt!) }
      }
      if (url.pathname === '/v1/auth/logout') {
        if (session) session.revoked = true
        return { body: {} }
      }
      return descopeError(404, 'E011002', `No route ${url.pathname}`)
    },
    {
      failure: (status) =>
        status === 429
          ? {
              ...descopeError(429, 'E130429', 'Too many requests'),
              headers: { 'retry-after': '7' },
            }
          : descopeError(status, 'E010000', 'Internal error'),
    },
  )

  return {
    api,
    stats,
    projectId,
    userIdOf,
    passwordOf: (user: string) => `${user}-password`,
    /** Revokes every session of `user` (the console's "log out user", a disabled user). */
    revokeUser(user: string) {
      for (const session of sessions.values()) if (session.user === user) session.revoked = true
    },
  }
}
