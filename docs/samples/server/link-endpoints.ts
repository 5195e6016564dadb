import { createLinkHandler, createVerifier, firebase, postgresLinkStore } from '@keyway/server'

/** Your Postgres pool (pg's `Pool` fits as it is). */
declare const pool: {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
}

// Nonces, proof ids and links live in Postgres, so every API server behind the load
// balancer sees the same ones. Run migrate() once, at deploy time.
const store = postgresLinkStore((sql, params) => pool.query(sql, params))
await store.migrate()

let isLinked: (anonymousId: string) => Promise<boolean> = async () => false
const verifier = createVerifier({
  providers: [firebase({ projectId: 'my-app' })],
  // A guest that was linked to an account can no longer sign in with its device key alone.
  anonymous: { audience: 'my-api', isLinked: (id) => isLinked(id) },
})

export const links = createLinkHandler({
  verifier,
  store,
  // The public URL of POST …/link: link proofs are signed for exactly this audience.
  linkAudience: 'https://api.example.com/link/link',
  // An account that already has rows makes the outcome linked_existing.
  accountExists: async (userId) =>
    (await pool.query('select 1 from notes where owner = $1 limit 1', [userId])).rows.length > 0,
  // Idempotent: it runs again when a client retries the same pair.
  onLink: async ({ anonymousId, userId }) => {
    await pool.query(
      'insert into aliases (alias, account) values ($1, $2) on conflict (alias) do nothing',
      [anonymousId, userId],
    )
  },
})
isLinked = links.isLinked
