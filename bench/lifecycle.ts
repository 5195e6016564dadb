// 10 000 sessions created, used and disposed on one test platform: what is left afterwards?
// Timers and host listeners are counted by the test platform, connector subscriptions by the
// connector; the heap is compared after forced GC (run with --expose-gc).

import type { Connector } from '../packages/core/src/index.js'
import { createSession } from '../packages/core/src/index.js'
import { createTestPlatform, createTokenMinter } from '../packages/core/src/testing/index.js'
import { round, writeStage } from './support/stats.js'

const SESSIONS = 10_000
const gc = (globalThis as { gc?: () => void }).gc

async function heapAfterGc(): Promise<number> {
  if (!gc) throw new Error('run with node --expose-gc')
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 10))
  }
  return process.memoryUsage().heapUsed
}

async function run(count: number, token: string, t: ReturnType<typeof createTestPlatform>) {
  let subscribed = 0
  let calls = 0
  const connector: Connector = {
    id: 'bench',
    async fetchCredentials() {
      calls++
      return { token }
    },
    subscribe() {
      subscribed++
      return () => void subscribed--
    },
  }
  let notified = 0
  for (let i = 0; i < count; i++) {
    const session = createSession({ connector, platform: t.platform, storageKey: `s${i}` })
    const unsubscribe = session.subscribe(() => notified++)
    await session.getToken()
    await session.getToken()
    // Half the sessions are disposed while their app listener is still attached.
    if (i % 2 === 0) unsubscribe()
    session.dispose()
  }
  return { subscribed, calls, notified }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const t = createTestPlatform({ startWall: Date.now() })
  const minter = await createTokenMinter({ now: t.clock.wallNow })
  const token = await minter.mint({ lifetimeSec: 3600 })
  await run(1_000, token, t) // warm-up: JIT and module state are not leaks
  t.logs.length = 0
  const before = await heapAfterGc()
  const started = performance.now()
  const { subscribed, calls } = await run(SESSIONS, token, t)
  const elapsedMs = performance.now() - started
  // The test platform keeps every debug line the sessions logged: that is the platform's
  // memory, not the sessions'. Counted, then dropped before the heap is read.
  const logLines = t.logs.length
  t.logs.length = 0
  const after = await heapAfterGc()
  const result = {
    sessions: SESSIONS,
    connectorCalls: calls,
    timersLeft: t.pendingTimers(),
    platformListenersLeft: t.listenerCount(),
    connectorSubscriptionsLeft: subscribed,
    logLinesDropped: logLines,
    heapBeforeBytes: before,
    heapAfterBytes: after,
    heapDeltaBytes: after - before,
    heapDeltaPerSessionBytes: round((after - before) / SESSIONS, 1),
    elapsedMs: round(elapsedMs),
  }
  writeStage('lifecycle', result)
  console.log('lifecycle', result)
}
