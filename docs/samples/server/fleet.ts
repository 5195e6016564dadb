import {
  createLinkHandler,
  createVerifier,
  firebase,
  postgresLinkStore,
  toNodeHandler,
} from '@keyway/server'

/** Your Postgres pool, shared by nothing but this process (pg's `Pool` fits as it is). */
declare const pool: {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
}
declare const env: { LINK_CHALLENGE_SECRET?: string }

// Every API server of the fleet runs this same code against the same database.
const store = postgresLinkStore((sql, params) => pool.query(sql, params))
// Run once per deploy (a migration step), not by every server at start-up.
export const migrate = () => store.migrate()

const verifier = createVerifier({
  providers: [firebase({ projectId: 'my-app' })],
  jwks: { staleWindowMs: 6 * 3_600_000 }, // stop trusting cached keys after 6 h of outage
})

export const links = createLinkHandler({
  verifier,
  store,
  linkAudience: 'https://api.example.com/link/link',
  // Optional: without it the servers share the key kept in keyway_secrets.
  challengeSecret: env.LINK_CHALLENGE_SECRET,
})

// node:http or Express: bodies over 64 KiB are refused before they are read.
export const handle = toNodeHandler((request) => links.handle(request), { maxBodyBytes: 64 * 1024 })
