import { betterAuth, createLinkHandler, createVerifier, postgresLinkStore } from '@keyway/server'
import { createDemoAuth } from './auth.js'
import { openNotesDb } from './db.js'
import { notesApi } from './notes-api.js'

export const DEMO_AUDIENCE = 'keyway-demo'

export interface DemoAppOptions {
  /** The origin the app is served from (also the JWT issuer). */
  baseURL: string
  /** Provider JWT lifetime; about 60 s so refreshes are visible. */
  tokenLifetimeSec?: number
  /** Current time for the link handler (tests move it). */
  now?: () => number
}

/**
 * The demo backend as one Fetch API handler: Better Auth (the provider, `/api/auth/*`),
 * the data API over PGlite with row-level security (`/api/notes`), and the upgrade link
 * endpoints (`/api/link/challenge`, `/api/link/link`).
 */
export async function createDemoApp(options: DemoAppOptions) {
  const { baseURL } = options
  const auth = createDemoAuth({ baseURL, tokenLifetimeSec: options.tokenLifetimeSec ?? 60 })
  const db = await openNotesDb()
  const store = postgresLinkStore((sql, params) => db.query(sql, params))
  await store.migrate()
  let isLinked: (id: string) => Promise<boolean> = async () => false
  const verifier = createVerifier({
    providers: [betterAuth({ baseURL, audience: DEMO_AUDIENCE })],
    anonymous: { audience: DEMO_AUDIENCE, isLinked: (id) => isLinked(id) },
  })
  const links = createLinkHandler({
    verifier,
    store,
    linkAudience: `${baseURL}/api/link/link`,
    ...(options.now ? { now: options.now } : {}),
    accountExists: async (userId) => {
      const { rows } = await db.query('select 1 from notes where owner = $1 limit 1', [userId])
      return rows.length > 0
    },
    // Both outcomes keep every row: the guest becomes an alias the row-level policy accepts.
    onLink: ({ anonymousId, userId }) => db.addAlias(anonymousId, userId),
  })
  isLinked = links.isLinked
  const notes = notesApi(verifier, db)

  return {
    auth,
    db,
    links,
    verifier,
    async handle(request: Request): Promise<Response | undefined> {
      const { pathname } = new URL(request.url)
      if (pathname.startsWith('/api/auth/')) return auth.handler(request)
      if (pathname.startsWith('/api/link/')) return links.handle(request)
      if (pathname === '/api/notes') return notes(request)
      return undefined
    },
    close: () => db.close(),
  }
}

export type DemoApp = Awaited<ReturnType<typeof createDemoApp>>
