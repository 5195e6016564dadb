import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSession } from '@keyway/core'
import { countReasons, createFakeConnector, createTokenMinter } from '@keyway/core/testing'
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
import { expectSoakHeld, runSyncSoak, soakFigures } from './sync-soak.js'

// The real PowerSync client (@powersync/node 1.1 over better-sqlite3 and the PowerSync SQLite
// core extension it ships) syncing from a double of the PowerSync Service's /sync/stream, real
// timers. PowerSync prefetches credentials whenever the service reports 30 s or less of token
// life: 60 s tokens here (Clerk's lifetime, the shortest common one) prefetch once per token;
// the Chromium soak (test/browser/powersync.browser.test.ts) runs 10 s tokens, which PowerSync
// prefetches on every connection. KEYWAY_SOAK_MS sets the length.

const SOAK_MS = Number(process.env.KEYWAY_SOAK_MS ?? 100_000)
const LIFETIME_SEC = 60
const REJECT_EVERY_MS = 40_000
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

      const run = await runSyncSoak(service, {
        soakMs: SOAK_MS,
        rejectEveryMs: REJECT_EVERY_MS,
        readRows: async () =>
          (await db.getAll<{ n: number }>('SELECT n FROM items ORDER BY n')).map((r) => r.n),
      })
      const calls = connector.callCount
      // The connector has the session refresh before PowerSync's prefetch at 30 s left: 35 s
      // before expiry, minus up to 10% jitter.
      const budget = 1 + run.injected + Math.ceil(run.elapsedMs / ((LIFETIME_SEC - 35 - 6) * 1000))
      console.log(
        [
          `powersync soak: ${(run.elapsedMs / 1000).toFixed(1)} s, ${LIFETIME_SEC} s tokens`,
          ...soakFigures(run, service),
          `PowerSync asked for credentials ${asks}×; connector calls ${calls} (≤ ${budget}), by reason ${JSON.stringify(countReasons(connector.calls))}, session rejections ${session.getSnapshot().counters.rejections}`,
        ].join('\n  '),
      )

      expectSoakHeld(run, service, session.getSnapshot().counters.rejections)
      expect(calls).toBeLessThanOrEqual(budget)
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
