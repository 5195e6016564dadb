import type { Verifier } from '@keyway/server'
import { VerificationError } from '@keyway/server'
import type { NotesDb } from './db.js'

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

/**
 * The demo's data API, Neon-Data-API style: every request carries a JWT, verified against
 * the provider's JWKS (or as a keyway guest token), and row-level security does the rest.
 */
export function notesApi(verifier: Verifier, db: NotesDb) {
  // The demo's "simulate 401" revokes the token it was sent with, once per click (the retry
  // carries the same click id with a new token, which is accepted), as a rotated key would.
  const revoked = new Set<string>()
  const clicks = new Set<string>()
  return async (request: Request): Promise<Response> => {
    const bearer = request.headers.get('authorization') ?? ''
    const click = request.headers.get('x-demo-reject')
    if (click && !clicks.has(click)) {
      clicks.add(click)
      revoked.add(bearer)
    }
    if (revoked.has(bearer)) return json(401, { error: 'revoked' })
    let userId: string
    try {
      ;({ userId } = await verifier.verifyRequest(request))
    } catch (error) {
      if (error instanceof VerificationError) return json(401, { error: error.reason })
      throw error
    }
    if (request.method === 'GET') {
      const { rows } = await db.asUser(userId, (tx) =>
        tx.query('select id, owner, body, created_at from notes order by id'),
      )
      return json(200, { userId, notes: rows })
    }
    if (request.method === 'POST') {
      const { body } = (await request.json().catch(() => ({}))) as { body?: unknown }
      if (typeof body !== 'string' || body.length === 0 || body.length > 500)
        return json(400, { error: 'body must be 1–500 characters' })
      const { rows } = await db.asUser(userId, (tx) =>
        tx.query('insert into notes (owner, body) values ($1, $2) returning id, owner, body', [
          userId,
          body,
        ]),
      )
      return json(201, rows[0])
    }
    return json(405, { error: 'method_not_allowed' })
  }
}
