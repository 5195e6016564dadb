/**
 * A local DOUBLE of a SuperTokens backend (your API with the SuperTokens backend SDK on it,
 * under `apiBasePath` `/auth`), for testing the real `supertokens-web-js`: no SuperTokens core
 * runs here. It answers what supertokens-web-js 0.16 (supertokens-website 20 underneath) sends
 * in header mode (`tokenTransferMethod: 'header'`), read from its code:
 *
 * - `POST /auth/signin` (the EmailPassword recipe): `{ status: 'OK', user }`, or
 *   `WRONG_CREDENTIALS_ERROR`;
 * - `POST /auth/session/refresh` with `Authorization: Bearer <refresh token>` and
 *   `st-auth-mode: header`: new tokens (the refresh token rotates), or 401 `unauthorised`
 *   with `front-token: remove` for a missing, used or revoked refresh token;
 * - `POST /auth/signout`: ends the session, `front-token: remove`;
 * - tokens travel in response headers, as supertokens-website's `saveTokensFromHeaders` reads
 *   them: `st-access-token`, `st-refresh-token`, and `front-token` (base64 JSON of the user id
 *   `uid`, the expiry `ate` in ms and the payload `up`).
 *
 * Access tokens are real ES256 JWTs shaped like SuperTokens' (`sub`, `sessionHandle`, `tId`,
 * `rsub`, `iss` = the API domain plus `/auth`), one hour.
 */
import { randomUUID } from 'node:crypto'
import { createTokenMinter } from '@keyway/core/testing'
import { type DoubleReply, startApiDouble } from '../../../test/support/api-double.js'

const CLEARED = { 'front-token': 'remove', 'st-access-token': '', 'st-refresh-token': '' }

export async function startSuperTokensDouble() {
  interface SessionRecord {
    handle: string
    user: string
    refreshToken: string
    revoked: boolean
  }
  const sessions = new Map<string, SessionRecord>()
  const stats = { refreshes: 0 }
  const userIdOf = (user: string) => `${user}-0000-4000-8000-supertokens`
  let minter: Awaited<ReturnType<typeof createTokenMinter>>

  async function withTokens(session: SessionRecord, body: unknown): Promise<DoubleReply> {
    sessions.delete(session.refreshToken)
    session.refreshToken = `rt-${randomUUID()}`
    sessions.set(session.refreshToken, session)
    const sub = userIdOf(session.user)
    const accessToken = await minter.mint({
      sub,
      rsub: sub,
      tId: 'public',
      sessionHandle: session.handle,
      antiCsrfToken: null,
      lifetimeSec: 3600,
    })
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString())
    const frontToken = { uid: sub, ate: payload.exp * 1000, up: payload }
    return {
      body,
      headers: {
        'st-access-token': accessToken,
        'st-refresh-token': session.refreshToken,
        'front-token': Buffer.from(JSON.stringify(frontToken)).toString('base64'),
      },
    }
  }

  const unauthorised: DoubleReply = {
    status: 401,
    body: { message: 'unauthorised' },
    headers: CLEARED,
  }

  const api = await startApiDouble(
    async ({ url, headers, body }) => {
      const bearer = String(headers.authorization ?? '').replace(/^Bearer /, '')
      if (url.pathname === '/auth/signin') {
        const fields = Object.fromEntries(
          (body.formFields as Array<{ id: string; value: string }>).map((f) => [f.id, f.value]),
        )
        const user = String(fields.email).split('@')[0]!
        if (fields.password !== `${user}-password`)
          return { body: { status: 'WRONG_CREDENTIALS_ERROR' } }
        const session = { handle: randomUUID(), user, refreshToken: '', revoked: false }
        const id = userIdOf(user)
        const emails = [`${user}@keyway.test`]
        return withTokens(session, {
          status: 'OK',
          user: { id, emails, phoneNumbers: [], thirdParty: [], tenantIds: ['public'] },
        })
      }
      if (url.pathname === '/auth/session/refresh') {
        stats.refreshes++
        const session = sessions.get(bearer)
        if (!session || session.revoked) return unauthorised
        return withTokens(session, {})
      }
      if (url.pathname === '/auth/signout') {
        const handle =
          bearer &&
          JSON.parse(Buffer.from(bearer.split('.')[1] ?? '', 'base64url').toString() || '{}')
            .sessionHandle
        for (const session of sessions.values())
          if (session.handle === handle) session.revoked = true
        return { body: { status: 'OK' }, headers: CLEARED }
      }
      return { status: 404, body: { message: `No route ${url.pathname}` } }
    },
    {
      failure: (status) =>
        status === 429
          ? { status, body: { message: 'Too many requests' }, headers: { 'retry-after': '7' } }
          : { status, body: { message: 'Internal error' } },
    },
  )
  minter = await createTokenMinter({ issuer: `${api.origin}/auth` })

  return {
    api,
    stats,
    userIdOf,
    passwordOf: (user: string) => `${user}-password`,
    /** Revokes every session of `user` (`revokeAllSessionsForUser` on the backend). */
    revokeUser(user: string) {
      for (const session of sessions.values()) if (session.user === user) session.revoked = true
    },
  }
}
