/**
 * A local DOUBLE of Stytch's frontend SDK API (`https://test.stytch.com/sdk/v1`), for testing
 * the real `@stytch/vanilla-js` client: no Stytch can run here. The client reaches it through
 * its `endpoints.testAPIURL` option (`customBaseUrl` would force `https://` and drop the port).
 * It answers what vanilla-js 6.3 sends, read from its code (`NetworkClient.fetchSDK`):
 *
 * - every call is `Authorization: Basic base64(<public token>:<session token>)`, the public
 *   token twice when nobody is signed in; answers are `{ data: … }`;
 * - `GET /projects/bootstrap/<public token>` (project settings: no captcha, no DFP),
 *   `POST /events` (telemetry);
 * - `POST /passwords/authenticate` (a sign-in), `POST /sessions/authenticate` (the refresh:
 *   a new `session_jwt` for the same `session_token`), `POST /sessions/revoke`;
 * - errors as JSON `{ status_code, error_type, error_message, error_url }`, which vanilla-js
 *   throws as `StytchAPIError`: a revoked session is 401 `unauthorized_credentials`, one of its
 *   `UNRECOVERABLE_ERROR_TYPES`, on which it clears its session.
 *
 * Session JWTs are real ES256 tokens shaped like Stytch's: `iss` `stytch.com/<project id>`,
 * `aud` `[<project id>]`, `sub` the user id, the `https://stytch.com/session` claim, 5 minutes.
 */
import { randomUUID } from 'node:crypto'
import { createTokenMinter } from '@keyway/core/testing'
import { type DoubleReply, startApiDouble } from '../../../test/support/api-double.js'

const stytchError = (status: number, type: string, message: string): DoubleReply => ({
  status,
  body: {
    status_code: status,
    error_type: type,
    error_message: message,
    error_url: `https://stytch.com/docs/api/errors/${status}#${type}`,
  },
})

export async function startStytchDouble() {
  const projectId = `project-test-${randomUUID()}`
  const publicToken = `public-token-test-${randomUUID()}`
  const minter = await createTokenMinter({ issuer: `stytch.com/${projectId}` })
  const sessions = new Map<string, { id: string; user: string; revoked: boolean }>()
  const stats = { authenticates: 0 }
  const userIdOf = (user: string) => `user-test-${user}-0000-4000-8000-000000000000`

  async function authenticated(token: string) {
    const { id, user } = sessions.get(token)!
    const now = new Date()
    const session = {
      session_id: id,
      user_id: userIdOf(user),
      started_at: now.toISOString(),
      last_accessed_at: now.toISOString(),
      expires_at: new Date(now.getTime() + 60 * 60_000).toISOString(),
      attributes: { ip_address: '', user_agent: '' },
      authentication_factors: [{ type: 'password', delivery_method: 'knowledge' }],
      custom_claims: {},
    }
    const { session_id, started_at, last_accessed_at, expires_at } = session
    const session_jwt = await minter.mint({
      sub: session.user_id,
      aud: [projectId],
      nbf: Math.floor(now.getTime() / 1000),
      lifetimeSec: 300,
      'https://stytch.com/session': { id: session_id, started_at, last_accessed_at, expires_at },
    })
    const user_ = { user_id: session.user_id, emails: [{ email: `${user}@keyway.test` }] }
    return {
      data: {
        status_code: 200,
        user_id: session.user_id,
        session,
        session_token: token,
        session_jwt,
        user: user_,
      },
    }
  }

  /** The session named by the Basic auth header, if it is one. */
  function sessionTokenOf(authorization: string | undefined) {
    const decoded = Buffer.from((authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
    const [pub, secret] = decoded.split(':')
    return pub === publicToken && secret !== publicToken ? secret : undefined
  }

  const api = await startApiDouble(
    async ({ method, url, headers, body }) => {
      const path = url.pathname.replace(/^\/sdk\/v1/, '')
      if (method === 'GET' && path === `/projects/bootstrap/${publicToken}`)
        return {
          body: {
            data: {
              project_name: 'keyway test',
              captcha_settings: { enabled: false },
              password_config: null,
              dfp_protected_auth_enabled: false,
              email_domains: [],
              vertical: 'CONSUMER',
            },
          },
        }
      if (path === '/events') return { body: { data: {} } }
      if (path === '/passwords/authenticate') {
        const user = String(body.email).split('@')[0]!
        if (body.password !== `${user}-password`)
          return stytchError(401, 'unauthorized_credentials', 'Unauthorized credentials.')
        const token = `session-token-${randomUUID()}`
        sessions.set(token, { id: `session-test-${randomUUID()}`, user, revoked: false })
        return { body: await authenticated(token) }
      }
      const token = sessionTokenOf(headers.authorization)
      const session = token ? sessions.get(token) : undefined
      if (!session || session.revoked)
        return stytchError(401, 'unauthorized_credentials', 'Unauthorized credentials.')
      if (path === '/sessions/authenticate') {
        stats.authenticates++
        return { body: await authenticated(token!) }
      }
      if (path === '/sessions/revoke') {
        session.revoked = true
        return { body: { data: { status_code: 200 } } }
      }
      return stytchError(404, 'not_found', `No route ${method} ${url.pathname}`)
    },
    {
      failure: (status) =>
        status === 429
          ? stytchError(429, 'too_many_requests', 'Too many requests.')
          : stytchError(status, 'internal_server_error', 'Internal server error.'),
    },
  )

  return {
    api,
    stats,
    publicToken,
    projectId,
    userIdOf,
    passwordOf: (user: string) => `${user}-password`,
    /** Revokes every session of `user` (dashboard, Backend API). */
    revokeUser(user: string) {
      for (const session of sessions.values()) if (session.user === user) session.revoked = true
    },
  }
}
