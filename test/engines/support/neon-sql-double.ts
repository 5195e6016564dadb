import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import { createVerifier, custom } from '@keyway/server'

/**
 * A double of Neon's SQL-over-HTTP endpoint (`POST /sql`), shaped after what
 * @neondatabase/serverless sends and reads (its `neon()` execute function):
 * `{ query, params }` or `{ queries: [...] }` in, `Authorization: Bearer <jwt>` and
 * `Neon-Connection-String` headers, `{ fields: [{ name, dataTypeID }], rows: [[text…]] }`
 * (raw text, array mode) or `{ results: [...] }` out, 400 with the Postgres error as JSON,
 * 401 for a JWT that does not verify. The JWT is verified with @keyway/server against the
 * issuer's JWKS, and every query runs in PGlite as role `authenticated` with the claims in
 * `request.jwt.claims`, read by `auth.user_id()` in row-level security policies, as Neon's
 * pg_session_jwt does.
 */
export async function startNeonSqlDouble(options: {
  jwksUrl: string
  issuer: string
  audience: string
}) {
  const verifier = createVerifier({
    providers: [
      custom({ jwksUrl: options.jwksUrl, issuer: options.issuer, audience: options.audience }),
    ],
  })
  const db = new PGlite()
  await db.exec(`
    create schema auth;
    create function auth.user_id() returns text language sql stable
      as $$ select current_setting('request.jwt.claims', true)::json ->> 'sub' $$;
    create role authenticated nologin;
    grant usage on schema auth to authenticated;
    create table todos (
      id serial primary key,
      user_id text not null default auth.user_id(),
      task text not null
    );
    alter table todos enable row level security;
    grant select, insert, delete on todos to authenticated;
    grant usage on sequence todos_id_seq to authenticated;
    create policy own_todos on todos
      using (user_id = auth.user_id()) with check (user_id = auth.user_id());
  `)
  const state = { requests: 0, unauthorized: 0, queries: 0 }
  /** PGlite is one connection: requests take turns. */
  let turn: Promise<unknown> = Promise.resolve()

  type Query = { query: string; params: unknown[] }
  async function run(claims: Record<string, unknown>, queries: Query[]) {
    return db.transaction(async (tx) => {
      await tx.query('set local role authenticated')
      await tx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)])
      const results = []
      for (const { query, params } of queries) {
        const result = await tx.query<unknown[]>(query, params, { rowMode: 'array' })
        state.queries++
        results.push({
          command: query.trim().split(/\s+/)[0]!.toUpperCase(),
          rowCount: result.affectedRows ?? result.rows.length,
          fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
          rows: result.rows.map((row) => row.map(toText)),
          rowAsArray: true,
        })
      }
      return results
    })
  }

  const server: Server = createServer(async (req, res) => {
    state.requests++
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const send = (status: number, body: unknown) => {
      res.statusCode = status
      res.setHeader('content-type', typeof body === 'string' ? 'text/plain' : 'application/json')
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    if (req.method !== 'POST' || req.url !== '/sql') return send(404, 'not found')
    if (!req.headers['neon-connection-string'])
      return send(400, { message: 'no connection string' })
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    let claims: Record<string, unknown>
    try {
      claims = (await verifier.verify(bearer ?? '')).claims
    } catch {
      state.unauthorized++
      return send(401, 'authentication failed')
    }
    const body = JSON.parse(Buffer.concat(chunks).toString())
    const batch: Query[] | undefined = body.queries
    const work = turn.then(() => run(claims, batch ?? [body]))
    turn = work.catch(() => {})
    try {
      const results = await work
      send(200, batch ? { results } : results[0])
    } catch (error) {
      const e = error as { message: string; code?: string }
      send(400, { message: e.message, code: e.code })
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sql`,
    state,
    /** Rows of `todos` as the table owner, bypassing row-level security. */
    allTodos: async () =>
      (await db.query<{ user_id: string; task: string }>('select user_id, task from todos')).rows,
    close: async () => {
      await new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      })
      await db.close()
    },
  }
}

/** Postgres's text output for the values the tests use. */
function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
