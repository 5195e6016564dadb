// The soak both real PowerSync clients run against the sync service double: @powersync/node
// (powersync-node.test.ts) and @powersync/web in Chromium (test/browser/powersync.browser.test.ts).
// Rows go into the service's bucket at a steady pace, the open streams' token is refused at
// intervals, then the client's SQLite must hold every row.

import { sleep } from '@keyway/core/testing'
import { expect } from 'vitest'
import type { startSyncServiceDouble } from './sync-service-double.js'

type SyncService = Awaited<ReturnType<typeof startSyncServiceDouble>>

export interface SoakRun {
  inserted: number
  /** Streams ended by a refused token (`rejectCurrent`). */
  injected: number
  /** The `n` of every row in the client's SQLite, in order. */
  rows: number[]
  elapsedMs: number
}

export async function runSyncSoak(
  service: SyncService,
  options: {
    soakMs: number
    rejectEveryMs: number
    insertEveryMs?: number
    /** Reads the client's synced rows. */
    readRows: () => Promise<number[]>
  },
): Promise<SoakRun> {
  const started = Date.now()
  let inserted = 0
  let injected = 0
  let nextRejection = started + options.rejectEveryMs
  while (Date.now() - started < options.soakMs) {
    service.insert(inserted++)
    if (Date.now() >= nextRejection) {
      injected += service.rejectCurrent()
      nextRejection += options.rejectEveryMs
    }
    await sleep(options.insertEveryMs ?? 200)
  }
  // The last rows are on their way: give the client up to 10 s to hold them all.
  const deadline = Date.now() + 10_000
  let rows: number[] = []
  while (Date.now() < deadline) {
    rows = await options.readRows()
    if (rows.length >= inserted) break
    await sleep(100)
  }
  return { inserted, injected, rows, elapsedMs: Date.now() - started }
}

/** What the service saw, as lines for the test's printed figures. */
export function soakFigures(run: SoakRun, service: SyncService): string[] {
  const { stats } = service
  return [
    `rows inserted ${run.inserted}, in the client's SQLite ${run.rows.length} (${new Set(run.rows).size} distinct), sent while no stream was open ${stats.opsWhileDisconnected}`,
    `stream requests ${stats.requests}, refused ${stats.refused}, streams ${stats.streams}, ended at token expiry ${stats.expired}, injected refusals ${run.injected}`,
    `longest with no stream open ${service.longestDisconnectedMs} ms; least token life left when a stream opened ${Math.min(...stats.remainingAtOpenMs)} ms`,
  ]
}

/**
 * No row lost or doubled, no stream outlived its token, each refused token was refused once,
 * and the client was never without a stream for a second; every forced refresh was for a
 * refused token. (A refusal that lands as the client moves to its next token costs no 401.)
 */
export function expectSoakHeld(run: SoakRun, service: SyncService, sessionRejections: number) {
  expect(run.injected).toBeGreaterThanOrEqual(1)
  expect(run.rows).toEqual([...Array(run.inserted).keys()])
  expect(service.stats.expired).toBe(0)
  expect(service.stats.refused).toBeLessThanOrEqual(run.injected)
  expect(service.longestDisconnectedMs).toBeLessThan(1_000)
  expect(sessionRejections).toBe(service.stats.refused)
}
