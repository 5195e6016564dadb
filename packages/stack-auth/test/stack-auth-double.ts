/**
 * A local DOUBLE of Stack Auth's API (`https://api.stack-auth.com/api/v1`), for testing the
 * real `@stackframe/js` client app: no Stack Auth can run here. It answers what
 * @stackframe/js 2.8 sends, read from @stackframe/stack-shared's `client-interface.js`:
 *
 * - `POST /auth/oauth/token`, an OAuth refresh-token grant (oauth4webapi, `client_id` = the
 *   project id, `client_secret` = the publishable client key): `{ access_token, token_type }`,
 *   or 401 with the known error `REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED` (the SDK answers `null`
 *   and marks its session invalid);
 * - `POST /auth/password/sign-in`: `{ access_token, refresh_token, user_id }`;
 * - `GET /users/me` (the SDK fills its user cache after a sign-in) and
 *   `DELETE /auth/sessions/current` (sign-out: revokes the refresh token it sends);
 * - `GET /internal/backend-urls`: the API's fallback URLs. Hosted Stack Auth lists three; with
 *   more than one the SDK tries each once, twice round, instead of five tries with exponential
 *   backoff and a network diagnosis that fetches 1.1.1.1 and api.stack-auth.com. The double
 *   lists itself and `<origin>/mirror`, which it also serves.
 *
 * Known errors carry `x-stack-known-error: <code>` and `{ code, error }`, as the API sends
 * them. Access tokens are real ES256 JWTs with the claims the SDK validates
 * (`accessTokenPayloadSchema`), `iss` = `<api>/api/v1/projects/<project id>`, `aud` = the
 * project id, 10 minutes.
 */
import { randomUUID } from 'node:crypto'
import { createTokenMinter } from '@keyway/core/testing'
import { type DoubleReply, startApiDouble } from '../../../test/support/api-double.js'

export const PROJECT_ID = '8f1c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f'

const knownError = (status: number, code: string, error: string): DoubleReply => ({
  status,
  body: { code, error },
  headers: { 'x-stack-known-error': code },
})

export async function startStackAuthDouble() {
  const sessions = new Map<string, { user: string; revoked: boolean }>()
  const stats = { refreshes: 0, backendUrls: 0 }
  const userIdOf = (user: string) =>
    `${user.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-000000000000`
  let minter: Awaited<ReturnType<typeof createTokenMinter>>

  const accessToken = (user: string, refreshTokenId: string) =>
    minter.mint({
      sub: userIdOf(user),
      aud: PROJECT_ID,
      project_id: PROJECT_ID,
      branch_id: 'main',
      refresh_token_id: refreshTokenId,
      role: 'authenticated',
      name: user,
      email: `${user}@keyway.test`,
      email_verified: true,
      selected_team_id: null,
      signed_up_at: 1_700_000_000_000,
      is_anonymous: false,
      is_restricted: false,
      restricted_reason: null,
      requires_totp_mfa: false,
      lifetimeSec: 600,
    })

  // What the SDK reads of `/users/me` (`_createBaseUser`, `_createUserExtraFromCurrent`).
  const userCrud = (user: string) => ({
    id: userIdOf(user),
    display_name: user,
    primary_email: `${user}@keyway.test`,
    primary_email_verified: true,
    profile_image_url: null,
    signed_up_at_millis: 1_700_000_000_000,
    client_metadata: {},
    client_read_only_metadata: {},
    has_password: true,
    auth_with_email: true,
    otp_auth_enabled: false,
    passkey_auth_enabled: false,
    oauth_providers: [],
    requires_totp_mfa: false,
    is_anonymous: false,
    is_restricted: false,
    restricted_reason: null,
    selected_team: null,
    selected_team_id: null,
  })

  const api = await startApiDouble(
    async ({ method, url, body, headers }) => {
      const path = url.pathname.replace(/^\/mirror/, '').replace(/^\/api\/v1/, '')
      if (path === '/internal/backend-urls') {
        stats.backendUrls++
        return { body: { urls: [api.origin, `${api.origin}/mirror`] } }
      }
      if (method === 'POST' && path === '/auth/oauth/token') {
        stats.refreshes++
        const session = sessions.get(String(body.refresh_token))
        if (body.client_id !== PROJECT_ID || !session || session.revoked)
          return knownError(401, 'REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED', 'Refresh token not found')
        const token = await accessToken(session.user, String(body.refresh_token))
        return { body: { access_token: token, token_type: 'Bearer', expires_in: 600 } }
      }
      if (method === 'POST' && path === '/auth/password/sign-in') {
        const user = String(body.email).split('@')[0]!
        if (body.password !== `${user}-password`)
          return knownError(400, 'EMAIL_PASSWORD_MISMATCH', 'Wrong e-mail or password.')
        const refreshToken = randomUUID()
        sessions.set(refreshToken, { user, revoked: false })
        const token = await accessToken(user, refreshToken)
        return {
          body: { access_token: token, refresh_token: refreshToken, user_id: userIdOf(user) },
        }
      }
      const session = sessions.get(String(headers['x-hexclave-refresh-token']))
      if (method === 'GET' && path === '/users/me') {
        if (!session || session.revoked)
          return knownError(400, 'CANNOT_GET_OWN_USER_WITHOUT_USER', 'No user.')
        return { body: userCrud(session.user) }
      }
      if (method === 'DELETE' && path === '/auth/sessions/current') {
        if (session) session.revoked = true
        return { body: {} }
      }
      return { status: 404, body: {} }
    },
    { failure: (status) => ({ status, body: 'Service Unavailable' }) },
  )
  minter = await createTokenMinter({ issuer: `${api.origin}/api/v1/projects/${PROJECT_ID}` })

  return {
    api,
    stats,
    userIdOf,
    /** Ends every session of `user` (the dashboard, or the server API). */
    revokeUser(user: string) {
      for (const session of sessions.values()) if (session.user === user) session.revoked = true
    },
  }
}
