// N callers ask for a token at the moment it expires: how many connector calls (must be 1)
// and how long each caller waits. The session runs on the test platform's fake clock; the
// device "sleeps" past expiry, and before the timers that were due can fire, N getToken()
// calls arrive. The connector answers after a real 10 ms, so the waits are real time.

import type { Connector } from '../packages/core/src/index.js'
import { createSession } from '../packages/core/src/index.js'
import { createTestPlatform, createTokenMinter } from '../packages/core/src/testing/index.js'
import { quantile, round, writeStage } from './support/stats.js'

const COUNTS = [1, 10, 100, 1_000, 10_000]
const CONNECTOR_DELAY_MS = 10
const LIFETIME_SEC = 3600

export interface ConcurrencyRow {
  callers: number
  connectorCalls: number
  allGotNewToken: boolean
  waitP50Ms: number
  waitP99Ms: number
  waitMaxMs: number
}

async function scenario(callers: number): Promise<ConcurrencyRow> {
  const t = createTestPlatform({ startWall: Date.now() })
  const minter = await createTokenMinter({ now: t.clock.wallNow })
  let calls = 0
  const connector: Connector = {
    id: 'bench',
    async fetchCredentials() {
      calls++
      const token = await minter.mint({ lifetimeSec: LIFETIME_SEC })
      await new Promise((r) => setTimeout(r, CONNECTOR_DELAY_MS))
      return { token }
    },
  }
  const session = createSession({ connector, platform: t.platform })
  const first = await session.getToken()
  const callsBefore = calls

  // Past expiry, monotonic clock included; due timers fire only once this turn yields.
  const wake = t.clock.sleep(LIFETIME_SEC * 1000 + 1_000, { monotonic: true })
  const waits: number[] = []
  const tokens = await Promise.all(
    Array.from({ length: callers }, async () => {
      const start = performance.now()
      const token = await session.getToken()
      waits.push(performance.now() - start)
      return token
    }),
  )
  await wake
  session.dispose()
  return {
    callers,
    connectorCalls: calls - callsBefore,
    allGotNewToken: tokens.every((tk) => tk !== first && tk === tokens[0]),
    waitP50Ms: round(quantile(waits, 0.5)),
    waitP99Ms: round(quantile(waits, 0.99)),
    waitMaxMs: round(Math.max(...waits)),
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const rows: ConcurrencyRow[] = []
  for (const n of COUNTS) {
    const row = await scenario(n)
    rows.push(row)
    console.log(
      `concurrency ${n}: ${row.connectorCalls} connector call(s), p50 ${row.waitP50Ms} ms, p99 ${row.waitP99Ms} ms`,
    )
  }
  writeStage('concurrency', { connectorDelayMs: CONNECTOR_DELAY_MS, rows })
}
