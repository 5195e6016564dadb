import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import {
  betterAuth as betterAuthPreset,
  createLinkHandler,
  createVerifier,
  postgresLinkStore,
  toNodeHandler,
  VerificationError,
} from '@keyway/server'
import { betterAuth } from 'better-auth'
import { memoryAdapter } from 'better-auth/adapters/memory'
import { jwt } from 'better-auth/plugins'

export const AUDIENCE = 'keyway-upgrade-test'

/**
 * Rows carry a client-generated id, so a push repeated after a crash is a no-op, not a
 * duplicate. Row-level security: a row is its owner's, and its owner's account's when the
 * owner is a guest that was linked (an alias).
 */
const SCHEMA = `
create table notes (id text primary key, owner text not null, body text not null);
create table aliases (alias text primary key, account text not null);
alter table notes enable row level security;
create role app_user nologin;
grant select, insert, update on notes to app_user;
grant select on aliases to app_user;
create policy notes_visible on notes for select using (
  owner = current_setting('request.jwt.sub', true)
  or owner in (select alias from aliases where account = current_setting('request.jwt.sub', true))
);
create policy notes_insert on notes for insert with check (owner = current_setting('request.jwt.sub', true));
`

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

/** A file the stack serves as is (a test page and its script). */
export interface Asset {
  type: string
  body: string
}

/**
 * The whole backend of a local-first app on one loopback port: Better Auth in process
 * (email + password, jwt plugin, ES256, JWKS at /api/auth/jwks), a data API that verifies
 * every request with @keyway/server (provider tokens against that JWKS, guest tokens by
 * their embedded key, linked guests refused) over PGlite with row-level security, and the
 * link endpoints at /link/challenge and /link/link with the Postgres link store.
 */
export async function startStack(options: { assets?: Record<string, Asset> } = {}) {
  let handler: (request: Request) => Promise<Response> = async () => json(503, {})
  const node = toNodeHandler((request) => handler(request))
  const server: Server = createServer((req, res) => {
    node(req, res).catch((error: unknown) => {
      res.statusCode = 500
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const tables: Record<string, Record<string, unknown>[]> = {
    user: [],
    session: [],
    account: [],
    verification: [],
    jwks: [],
  }
  const auth = betterAuth({
    baseURL: url,
    basePath: '/api/auth',
    secret: 'keyway-upgrade-test-secret-0123456789abcdef',
    trustedOrigins: [url],
    database: memoryAdapter(tables),
    emailAndPassword: { enabled: true, requireEmailVerification: false },
    plugins: [
      jwt({
        jwks: { keyPairConfig: { alg: 'ES256' } },
        jwt: { issuer: url, audience: AUDIENCE, expirationTime: '15m' },
      }),
    ],
  })

  const db = new PGlite()
  await db.exec(SCHEMA)
  const query = (sql: string, params?: unknown[]) =>
    db.query<Record<string, unknown>>(sql, params) as Promise<{ rows: Record<string, unknown>[] }>
  const linkStore = postgresLinkStore(query)
  await linkStore.migrate()

  /** The link handler's clock: tests swap in the fake clock of @keyway/core/testing. */
  const clock = { now: () => Date.now() }
  let isLinked: (guestId: string) => Promise<boolean> = async () => false
  const verifier = createVerifier({
    providers: [betterAuthPreset({ baseURL: url, audience: AUDIENCE })],
    anonymous: { audience: AUDIENCE, isLinked: (id) => isLinked(id) },
  })
  const links = createLinkHandler({
    verifier,
    store: linkStore,
    linkAudience: `${url}/link/link`,
    now: () => clock.now(),
    accountExists: async (userId) =>
      (await query('select 1 from notes where owner = $1 limit 1', [userId])).rows.length > 0,
    // Nothing moves: the guest becomes an alias that row-level security accepts.
    onLink: async ({ anonymousId, userId }) => {
      await query(
        'insert into aliases (alias, account) values ($1, $2) on conflict (alias) do nothing',
        [anonymousId, userId],
      )
    },
  })
  isLinked = links.isLinked

  async function asUser<T>(sub: string, sql: string, params: unknown[] = []) {
    return db.transaction(async (tx) => {
      await tx.query('set local role app_user')
      await tx.query(`select set_config('request.jwt.sub', $1, true)`, [sub])
      return (await tx.query<T>(sql, params)).rows
    })
  }

  async function notes(request: Request): Promise<Response> {
    let userId: string
    try {
      ;({ userId } = await verifier.verifyRequest(request))
    } catch (error) {
      if (error instanceof VerificationError) return json(401, { error: error.reason })
      throw error
    }
    if (request.method === 'GET')
      return json(200, {
        userId,
        notes: await asUser(userId, 'select id, owner, body from notes order by id'),
      })
    const { id, body } = (await request.json()) as { id: string; body: string }
    const inserted = await asUser(
      userId,
      'insert into notes (id, owner, body) values ($1, $2, $3) on conflict (id) do nothing returning id',
      [id, userId, body],
    )
    return json(inserted.length === 1 ? 201 : 200, { id })
  }

  handler = async (request) => {
    const { pathname } = new URL(request.url)
    if (pathname.startsWith('/api/auth/')) return auth.handler(request)
    if (pathname.startsWith('/link/')) return links.handle(request)
    if (pathname === '/notes') return notes(request)
    const asset = options.assets?.[pathname]
    if (asset) return new Response(asset.body, { headers: { 'content-type': asset.type } })
    return json(404, { error: 'not_found' })
  }

  return {
    url,
    linkUrl: `${url}/link`,
    clock,
    links,
    /** Every row, as the table owner sees it (no row-level security): for counting. */
    allNotes: async () =>
      (await query('select id, owner, body from notes order by id')).rows as Array<{
        id: string
        owner: string
        body: string
      }>,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
      await db.close()
    },
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>
