import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runLinkStoreContract } from '../../test/link-store-contract.js'
import type { LinkStore } from './link-store.js'
import { memoryLinkStore } from './memory.js'
import { postgresLinkStore, type SqlQuery } from './postgres.js'

runLinkStoreContract('memory (one process)', async () => {
  const store = memoryLinkStore()
  return { a: store, b: store }
})

// Two store instances over one real Postgres (PGlite): two API servers sharing a database.
let db: PGlite
const query: SqlQuery = (sql, params) => db.query<Record<string, unknown>>(sql, params)
beforeAll(async () => {
  db = new PGlite()
  await postgresLinkStore(query).migrate()
})
afterAll(() => db.close())

runLinkStoreContract('Postgres on PGlite, two store instances', async () => ({
  a: postgresLinkStore(query),
  b: postgresLinkStore(query),
}))

describe('Postgres link store', () => {
  it('migrate() is idempotent and creates the tables it queries', async () => {
    const store = postgresLinkStore(query)
    await store.migrate()
    await store.migrate()
    const { rows } = await query(
      "select table_name from information_schema.tables where table_name like 'keyway_%' order by 1",
    )
    expect(rows.map((r) => r.table_name)).toEqual([
      'keyway_jtis',
      'keyway_known_users',
      'keyway_links',
      'keyway_nonces',
    ])
  })

  it('consumes with one statement each (DELETE … RETURNING, INSERT … ON CONFLICT DO NOTHING)', async () => {
    const statements: string[] = []
    const store: LinkStore = postgresLinkStore(async (sql, params) => {
      statements.push(sql)
      return query(sql, params)
    })
    await store.consumeNonce('whatever', 0)
    await store.consumeJti('whatever', 0)
    expect(statements).toHaveLength(2)
    expect(statements[0]).toMatch(/^delete from keyway_nonces .* returning/)
    expect(statements[1]).toMatch(
      /^insert into keyway_jtis .* on conflict \(jti\) do nothing returning/,
    )
  })

  it('rejects an outcome that is not promoted or linked_existing (check constraint)', async () => {
    const store = postgresLinkStore(query)
    await expect(
      store.putLink({
        anonymousId: 'anon_x',
        userId: 'u',
        outcome: 'stolen' as never,
        linkedAt: 0,
      }),
    ).rejects.toThrow()
  })
})
