import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FaultMode, type FaultProxy, startFaultProxy } from '../chaos/fault-proxy.js'
import { type Check, checkSession, report } from './invariants.js'
import { type Issuer, startIssuer } from './issuer.js'
import { floorMs, type RealSession, SUITE_POLICY, startRealSession } from './real-session.js'
import { Recorder } from './record.js'
import { type ResourceServer, startResourceServer } from './resource-server.js'
import { PHASE_MS, type PhaseName, SCALE, Timeline } from './timeline.js'
import { runWorkers } from './workers.js'

// The wall-clock chaos run of issue 11: real timers (core's defaultPlatform), real HTTP on
// 127.0.0.1. An ES256 issuer behind one fault proxy per session, a jose-verifying data API
// that revokes a few valid tokens, three sessions (6 s, 20 s and 60 s tokens) with 20 workers
// each, through healthy → flapping → outage → recovered. Policy: fetchTimeoutMs and
// backoffCapMs are 8 s (SUITE_POLICY) so hangs and recoveries fit the run; at scale 1 the
// outage (25 s) outlasts the 6 s and 20 s lifetimes, `pnpm chaos:real` (scale 4) the 60 s one.

const LIFETIMES_SEC = [6, 20, 60]
const WORKERS = 20
/** Share of healthy requests whose (valid) token the data API revokes. */
const REVOKE_SHARE = 0.002
const RETRY_AFTER_SEC = 2

/** Flapping: each token request meets one of these, by weight. */
const FLAPPING: Array<[FaultMode, number]> = [
  ['pass', 40],
  ['5xx', 12],
  ['429', 10],
  ['reset', 10],
  ['reset-mid-body', 10],
  ['slow', 13],
  ['hang', 5],
]
/** Outage: nothing gets through. */
const OUTAGE: Array<[FaultMode, number]> = [
  ['5xx', 1],
  ['reset', 1],
]

function picker(proxy: FaultProxy, weights: Array<[FaultMode, number]>, lateMs?: number) {
  const total = weights.reduce((sum, [, w]) => sum + w, 0)
  let late = lateMs
  return (): FaultMode => {
    if (late !== undefined) {
      // The first request of the phase is answered late: minted at once, delivered after
      // most of a lifetime (I8).
      proxy.state.slowMs = late
      late = undefined
      return 'slow'
    }
    let dice = Math.random() * total
    for (const [mode, weight] of weights) {
      dice -= weight
      if (dice < 0) {
        if (mode === 'slow') proxy.state.slowMs = 1_000 + Math.random() * 2_000
        return mode
      }
    }
    return 'pass'
  }
}

let issuer: Issuer
let resource: ResourceServer
const proxies: FaultProxy[] = []

beforeAll(async () => {
  issuer = await startIssuer()
  resource = await startResourceServer(issuer.jwksUrl)
  for (const _ of LIFETIMES_SEC) {
    const proxy = await startFaultProxy(issuer.origin)
    proxy.state.retryAfter = String(RETRY_AFTER_SEC)
    proxies.push(proxy)
  }
})
afterAll(async () => {
  for (const proxy of proxies) await proxy.close()
  await resource?.close()
  await issuer?.close()
})

describe(`wall-clock chaos (scale ${SCALE})`, () => {
  it(
    'keeps I1–I8 for 3 sessions × 20 workers through healthy → flapping → outage → recovered',
    async () => {
      const timeline = new Timeline()
      const floors = new Map(LIFETIMES_SEC.map((l) => [`${l}s`, floorMs(l * 1000)]))
      const rec = new Recorder(
        timeline,
        (jti) => !!jti && resource.revoked.has(jti),
        (name) => floors.get(name)!,
      )
      const unhandled: unknown[] = []
      const onUnhandled = (reason: unknown) => unhandled.push(reason)
      process.on('unhandledRejection', onUnhandled)

      const sessions: RealSession[] = LIFETIMES_SEC.map((lifetimeSec, i) =>
        startRealSession({ name: `${lifetimeSec}s`, lifetimeSec, issuer, proxy: proxies[i]!, rec }),
      )
      let stopped = false
      const workers = Promise.all(
        sessions.map((s) => runWorkers(s, rec, resource.url, () => stopped, WORKERS)),
      )
      const phase = async (name: PhaseName, setUp: () => void) => {
        timeline.begin(name)
        setUp()
        console.log(`[chaos-real] ${name} for ${(PHASE_MS[name] * SCALE) / 1000} s`)
        await new Promise((resolve) => setTimeout(resolve, PHASE_MS[name] * SCALE))
      }
      const each = (fn: (s: RealSession) => void) => sessions.forEach(fn)

      await phase('healthy', () => {
        resource.state.revokeShare = REVOKE_SHARE
        each((s) => s.proxy.setPicker(undefined))
      })
      await phase('flapping', () => {
        resource.state.revokeShare = 0
        each((s) => {
          const lateMs = Math.min(0.75 * s.lifetimeMs, SUITE_POLICY.fetchTimeoutMs - 1_000)
          s.proxy.setPicker(picker(s.proxy, FLAPPING, lateMs))
        })
      })
      await phase('outage', () => each((s) => s.proxy.setPicker(picker(s.proxy, OUTAGE))))
      await phase('recovered', () => {
        resource.state.revokeShare = REVOKE_SHARE
        each((s) => s.proxy.setPicker(undefined))
      })
      timeline.end()
      stopped = true
      await workers
      for (const s of sessions) s.dispose()
      // A timer the session cleared in dispose() is gone at once; give a stray one a turn.
      await new Promise((resolve) => setTimeout(resolve, 50))
      process.off('unhandledRejection', onUnhandled)

      const checks: Check[] = sessions.flatMap((s) =>
        checkSession(
          { rec, phases: timeline.phases, backoffCapMs: SUITE_POLICY.backoffCapMs },
          {
            name: s.name,
            lifetimeMs: s.lifetimeMs,
            proxyLog: s.proxy.log,
            retryAfterMs: RETRY_AFTER_SEC * 1000,
            timersAfterDispose: s.timers.live.size,
          },
        ),
      )
      checks.push({
        id: 'I6',
        session: 'all',
        what: 'no unhandled rejection',
        figure: `${unhandled.length} unhandled`,
        pass: unhandled.length === 0,
      })
      const totals = `${rec.calls.length} connector calls, ${rec.requests.length} authFetch calls, ${rec.handOuts.length} tokens handed out, ${rec.errors.length} rejections, ${resource.revoked.size} tokens revoked`
      const failed = report(`wall-clock chaos, scale ${SCALE}: ${totals}`, checks)
      expect(failed.map((c) => `${c.id} ${c.session}: ${c.what} — ${c.figure}`)).toEqual([])
    },
    Object.values(PHASE_MS).reduce((a, b) => a + b, 0) * SCALE + 60_000,
  )
})
