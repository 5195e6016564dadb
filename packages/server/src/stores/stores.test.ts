import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PostgresCluster, startPostgresCluster } from '../../test/postgres-cluster.js'
import { runLinkStoreConformance } from '../testing.js'
import type { LinkStore } from './link-store.js'
import { memoryLinkStore } from './memory.js'
import { postgresLinkStore, type SqlQuery } from './postgres.js'

runLinkStoreConformance({ describe, it }, 'memory (one process)', async () => {
  const store = memoryLinkStore()
  return { a: store, b: store }
})

// Two store instances over one PGlite: two API servers sharing a database, in-process.
let lite: PGlite
const liteQuery: SqlQuery = (sql, params) => lite.query<Record<string, unknown>>(sql, params)
// Two pg pools on a real PostgreSQL cluster (initdb + pg_ctl in a temp dir, 127.0.0.1).
let cluster: PostgresCluster
let pools: [pg.Pool, pg.Pool]
const poolQuery =
  (pool: pg.Pool): SqlQuery =>
  (sql, params) =>
    pool.query(sql, params)

beforeAll(async () => {
  lite = new PGlite()
  await postgresLinkStore(liteQuery).migrate()
  cluster = await startPostgresCluster()
  pools = [
    new pg.Pool({ connectionString: cluster.url, max: 5 }),
    new pg.Pool({ connectionString: cluster.url, max: 5 }),
  ]
  // The cluster's shutdown ends idle connections with 57P01: expected at teardown.
  for (const pool of pools) pool.on('error', () => undefined)
  await postgresLinkStore(poolQuery(pools[0])).migrate()
})
afterAll(async () => {
  await lite?.close()
  await Promise.all(pools?.map((p) => p.end()) ?? [])
  await cluster?.stop()
})

runLinkStoreConformance({ describe, it }, 'Postgres on PGlite, two store instances', async () => ({
  a: postgresLinkStore(liteQuery),
  b: postgresLinkStore(liteQuery),
}))

runLinkStoreConformance({ describe, it }, 'real PostgreSQL, two pools', async () => ({
  a: postgresLinkStore(poolQuery(pools[0])),
  b: postgresLinkStore(poolQuery(pools[1])),
}))

describe('Postgres link store', () => {
  it('migrate() is idempotent and creates the tables it queries (real PostgreSQL)', async () => {
    const store = postgresLinkStore(poolQuery(pools[0]))
    await store.migrate()
    await store.migrate()
    const { rows } = await pools[0].query(
      "select table_name from information_schema.tables where table_name like 'keyway_%' order by 1",
    )
    expect(rows.map((r) => r.table_name)).toEqual([
      'keyway_jtis',
      'keyway_known_users',
      'keyway_links',
      'keyway_nonces',
      'keyway_secrets',
    ])
  })

  it('consumes with one statement each (INSERT … ON CONFLICT DO NOTHING RETURNING)', async () => {
    const statements: string[] = []
    const store: LinkStore = postgresLinkStore(async (sql, params) => {
      statements.push(sql)
      return liteQuery(sql, params)
    })
    await store.consumeNonce(`n-${Math.random()}`, 0)
    await store.consumeJti(`j-${Math.random()}`, 0)
    expect(statements).toHaveLength(2)
    expect(statements[0]).toMatch(
      /^insert into keyway_nonces .* on conflict \(nonce\) do nothing returning/,
    )
    expect(statements[1]).toMatch(
      /^insert into keyway_jtis .* on conflict \(jti\) do nothing returning/,
    )
  })

  it('sweeping bounds the tables: 2,000 expired rows out, the live ones kept (real PostgreSQL)', async () => {
    const store = postgresLinkStore(poolQuery(pools[0]))
    const T = Date.UTC(2030, 0, 1)
    await store.sweep(T + 1e9) // start from empty tables
    await pools[0].query(
      "insert into keyway_nonces select 'sweep-n-' || i, $1 from generate_series(1, 1000) i",
      [T - 1],
    )
    await pools[0].query(
      "insert into keyway_jtis select 'sweep-j-' || i, $1 from generate_series(1, 1000) i",
      [T - 1],
    )
    await store.consumeNonce('sweep-live', T + 60_000)
    const count = async () =>
      Number(
        (
          await pools[0].query(
            'select (select count(*) from keyway_nonces) + (select count(*) from keyway_jtis) as n',
          )
        ).rows[0].n,
      )
    expect(await count()).toBe(2001)
    expect(await store.sweep(T)).toBe(2000)
    expect(await count()).toBe(1)
    expect(await store.consumeNonce('sweep-live', T + 60_000)).toBe(false)
  })

  it('rejects an outcome that is not promoted or linked_existing (check constraint)', async () => {
    const store = postgresLinkStore(poolQuery(pools[0]))
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
