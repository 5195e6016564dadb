/**
 * A local DOUBLE of a PropelAuth auth domain (`https://<id>.propelauthtest.com`), for testing
 * the real `@propelauth/javascript` client: no PropelAuth can run here. It answers what
 * @propelauth/javascript 2.0 sends, read from its `api.ts`:
 *
 * - `GET /api/v1/refresh_token` with the auth domain's session cookie (`credentials:
 *   'include'`): 200 with the snake_case authentication info (`access_token`,
 *   `expires_at_seconds`, `user`, `org_id_to_org_member_info`), or 401 when nobody is signed in
 *   (the client answers `null`);
 * - `POST /api/v1/logout`: ends the session, `{ redirect_to }`;
 * - `POST /login`: what the hosted login page does once the user typed a password: it sets the
 *   session cookie on the auth domain.
 *
 * Access tokens are real ES256 JWTs shaped like PropelAuth's (`iss` = the auth URL, `sub` =
 * `user_id`, `email`), 30 minutes.
 */
import { randomUUID } from 'node:crypto'
import { createTokenMinter } from '@keyway/core/testing'
import { startApiDouble } from '../../../test/support/api-double.js'

const COOKIE = '__pa_session'

export async function startPropelAuthDouble() {
  const sessions = new Map<string, { user: string; revoked: boolean }>()
  const stats = { refreshes: 0 }
  const userIdOf = (user: string) => `${user.padEnd(8, '0')}-0000-4000-8000-propelauth00`
  let minter: Awaited<ReturnType<typeof createTokenMinter>>

  async function authenticationInfo(user: string) {
    const now = Math.floor(Date.now() / 1000)
    const user_id = userIdOf(user)
    const email = `${user}@keyway.test`
    return {
      access_token: await minter.mint({ sub: user_id, user_id, email, lifetimeSec: 1800 }),
      expires_at_seconds: now + 1800,
      org_id_to_org_member_info: {},
      user: {
        user_id,
        email,
        email_confirmed: true,
        has_password: true,
        first_name: user,
        locked: false,
        enabled: true,
        mfa_enabled: false,
        can_create_orgs: false,
        created_at: now,
        last_active_at: now,
      },
    }
  }

  const api = await startApiDouble(
    async ({ method, url, body, cookies }) => {
      const session = sessions.get(cookies[COOKIE] ?? '')
      if (method === 'POST' && url.pathname === '/login') {
        const user = String(body.email).split('@')[0]!
        if (body.password !== `${user}-password`) return { status: 401, body: {} }
        const id = randomUUID()
        sessions.set(id, { user, revoked: false })
        return { body: {}, headers: { 'set-cookie': `${COOKIE}=${id}; Path=/; HttpOnly` } }
      }
      if (method === 'GET' && url.pathname === '/api/v1/refresh_token') {
        stats.refreshes++
        if (!session || session.revoked) return { status: 401, body: {} }
        return { body: await authenticationInfo(session.user) }
      }
      if (method === 'POST' && url.pathname === '/api/v1/logout') {
        if (session) session.revoked = true
        return {
          body: { redirect_to: `${api.origin}/login` },
          headers: { 'set-cookie': `${COOKIE}=; Path=/; Max-Age=0` },
        }
      }
      return { status: 404, body: {} }
    },
    { failure: (status) => ({ status, body: 'Service Unavailable' }) },
  )
  minter = await createTokenMinter({ issuer: api.origin })

  return {
    api,
    stats,
    userIdOf,
    /** The hosted login page: the user signs in on the auth domain (sets its cookie). */
    async signIn(user: string) {
      const res = await fetch(`${api.origin}/login`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${user}@keyway.test`, password: `${user}-password` }),
      })
      if (!res.ok) throw new Error(`hosted login failed: ${res.status}`)
      return userIdOf(user)
    },
    /** Logs `user` out everywhere (the dashboard, or the backend API). */
    revokeUser(user: string) {
      for (const session of sessions.values()) if (session.user === user) session.revoked = true
    },
  }
}
