import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSession } from '@keyway/core'
import { countReasons, createFakeConnector, createTokenMinter, sleep } from '@keyway/core/testing'
import {
  column,
  PowerSyncDatabase,
  Schema,
  SyncStreamConnectionMethod,
  Table,
} from '@powersync/node'
import { expect, it } from 'vitest'
import { powerSyncConnector } from '../src/index.js'
import { startSyncServiceDouble } from './sync-service-double.js'

// The real PowerSync client (@powersync/node 1.1 over better-sqlite3 and the PowerSync SQLite
// core extension it ships) syncing from a double of the PowerSync Service's /sync/stream, real
// timers. PowerSync prefetches credentials whenever the service reports 30 s or less of token
// life, so tokens are 60 s here (Clerk's lifetime, the shortest common one): with tokens under
// 30 s any connector is asked for a new one on every connect. KEYWAY_SOAK_MS sets the length.

const SOAK_MS = Number(process.env.KEYWAY_SOAK_MS ?? 100_000)
const LIFETIME_SEC = 60
const REJECT_EVERY_MS = 40_000
const INSERT_EVERY_MS = 200
const AUDIENCE = 'https://powersync.keyway.test'

it(
  `soak (real @powersync/node, double of the PowerSync Service): ${SOAK_MS / 1000} s, ${LIFETIME_SEC} s tokens, a refused token every ${REJECT_EVERY_MS / 1000} s`,
  async () => {
    const minter = await createTokenMinter({ audience: AUDIENCE })
    const connector = await createFakeConnector({ minter, lifetimeSec: LIFETIME_SEC })
    const session = createSession({ connector })
    const service = await startSyncServiceDouble({
      jwks: minter.jwks,
      issuer: minter.issuer,
      audience: AUDIENCE,
      keepaliveMs: 2_000,
    })
    const dir = mkdtempSync(join(tmpdir(), 'keyway-powersync-'))
    const db = new PowerSyncDatabase({
      schema: new Schema({ items: new Table({ n: column.integer }) }),
      database: { dbFilename: 'sync.db', dbLocation: dir },
    })
    let asks = 0
    const ps = powerSyncConnector(session, { endpoint: service.url, uploadData: async () => {} })
    const counted = {
      ...ps,
      fetchCredentials: () => {
        asks++
        return ps.fetchCredentials()
      },
    }
    try {
      await db.connect(counted, {
        connectionMethod: SyncStreamConnectionMethod.HTTP,
        // PowerSync waits this long after a failed stream (default 5 s) before it asks again.
        retryDelayMs: 300,
      })
      await db.waitForFirstSync()

      const started = Date.now()
      let inserted = 0
      let injected = 0
      let nextRejection = started + REJECT_EVERY_MS
      while (Date.now() - started < SOAK_MS) {
        service.insert(inserted++)
        if (Date.now() >= nextRejection) {
          injected += service.rejectCurrent()
          nextRejection += REJECT_EVERY_MS
        }
        await sleep(INSERT_EVERY_MS)
      }
      const deadline = Date.now() + 10_000
      let rows: Array<{ n: number }> = []
      while (Date.now() < deadline) {
        rows = await db.getAll<{ n: number }>('SELECT n FROM items ORDER BY n')
        if (rows.length >= inserted) break
        await sleep(100)
      }
      const elapsedMs = Date.now() - started
      const { stats } = service
      const calls = connector.callCount
      // The connector has the session refresh before PowerSync's prefetch at 30 s left: 35 s
      // before expiry, minus up to 10% jitter.
      const budget = 1 + injected + Math.ceil(elapsedMs / ((LIFETIME_SEC - 35 - 6) * 1000))
      console.log(
        [
          `powersync soak: ${(elapsedMs / 1000).toFixed(1)} s, ${LIFETIME_SEC} s tokens`,
          `rows inserted ${inserted}, in the local SQLite ${rows.length} (${new Set(rows.map((r) => r.n)).size} distinct), sent while no stream was open ${stats.opsWhileDisconnected}`,
          `stream requests ${stats.requests}, refused ${stats.refused}, streams ${stats.streams}, ended at token expiry ${stats.expired}, injected refusals ${injected}`,
          `longest with no stream open ${service.longestDisconnectedMs} ms; least token life left when a stream opened ${Math.min(...stats.remainingAtOpenMs)} ms`,
          `PowerSync asked for credentials ${asks}×; connector calls ${calls} (≤ ${budget}), by reason ${JSON.stringify(countReasons(connector.calls))}, session rejections ${session.getSnapshot().counters.rejections}`,
        ].join('\n  '),
      )

      expect(injected).toBeGreaterThanOrEqual(1)
      expect(rows.map((r) => r.n)).toEqual([...Array(inserted).keys()])
      expect(stats.expired).toBe(0)
      expect(stats.refused).toBeLessThanOrEqual(injected)
      expect(service.longestDisconnectedMs).toBeLessThan(1_000)
      expect(calls).toBeLessThanOrEqual(budget)
      // Every forced refresh was for a refused token: PowerSync's own re-asks cost nothing.
      expect(session.getSnapshot().counters.rejections).toBe(injected)
    } finally {
      await db.disconnectAndClear().catch(() => {})
      await db.close()
      await service.stop()
      session.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  },
  SOAK_MS + 60_000,
)
