import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Check, report } from './invariants.js'
import { lateFirstAnswer } from './late-answer.js'
import { phasesRun } from './phases-run.js'
import { processExit } from './process-exit.js'
import { rejectEveryToken, revocationStorms } from './rejection-scenarios.js'
import { retryAfterWithWaitingCallers } from './retry-after.js'
import { type Servers, startServers } from './servers.js'
import { PHASE_MS, SCALE } from './timeline.js'

// The wall-clock chaos suite of issue 11: real timers (core's defaultPlatform), real HTTP on
// 127.0.0.1 only. The phases run (3 sessions × 20 workers, healthy → flapping → outage →
// recovered) and the shorter scenarios (revocation storms, a backend that rejects every
// token, a late first answer, 429s while callers wait, a Node process's exit) run at the same time, so the whole suite
// costs the phases' wall time. Every invariant is printed with its figure, PASS or FAIL.

let servers: Servers
beforeAll(async () => {
  servers = await startServers()
})
afterAll(() => servers?.close())

const RUN_MS = Object.values(PHASE_MS).reduce((a, b) => a + b, 0) * SCALE

it(
  `keeps I1–I8 on a real clock (scale ${SCALE}, ${RUN_MS / 1000} s of phases)`,
  async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    const [phases, storms, audience, late, retryAfter, exit] = await Promise.all([
      phasesRun(servers),
      revocationStorms(servers),
      rejectEveryToken(servers),
      lateFirstAnswer(servers),
      retryAfterWithWaitingCallers(servers),
      processExit(servers),
    ])
    process.off('unhandledRejection', onUnhandled)

    const failed: Check[] = [
      ...report(`phases, scale ${SCALE}: ${phases.totals}`, [
        ...phases.checks,
        {
          id: 'I6',
          session: 'all',
          what: 'no unhandled rejection',
          figure: `${unhandled.length} unhandled`,
          pass: unhandled.length === 0,
        },
      ]),
      ...report('revocation storms (60 s tokens)', storms),
      ...report('a backend that rejects every token (20 s tokens)', audience),
      ...report('a late first answer', late),
      ...report('429 with Retry-After while callers wait', retryAfter),
      ...report('process exit', exit),
    ]
    expect(failed.map((c) => `${c.id} ${c.session}: ${c.what} — ${c.figure}`)).toEqual([])
  },
  RUN_MS + 90_000,
)
