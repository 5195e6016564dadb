import type { FaultMode, FaultProxy } from '../chaos/fault-proxy.js'
import { type Check, checkSession } from './invariants.js'
import { floorMs, type RealSession, SUITE_POLICY, startRealSession } from './real-session.js'
import { Recorder } from './record.js'
import type { Servers } from './servers.js'
import { PHASE_MS, type PhaseName, SCALE, Timeline } from './timeline.js'
import { runWorkers } from './workers.js'

// Three sessions (6 s, 20 s and 60 s tokens) with 20 workers each, each through its own fault
// proxy, through healthy → flapping → outage → recovered. Policy: fetchTimeoutMs and
// backoffCapMs are 8 s (SUITE_POLICY) so hangs and recoveries fit the run; at scale 1 the
// outage (25 s) outlasts the 6 s and 20 s lifetimes, at `pnpm chaos:real` (scale 4) the 60 s one.

const LIFETIMES_SEC = [6, 20, 60]
const WORKERS = 20
/**
 * Share of requests whose (valid) token the data API revokes, while the issuer is healthy.
 * The 60 s session is spared in the first healthy phase, so that one of its proactive
 * refreshes falls in it (I3); its revocations come in the recovered phase and the storms.
 */
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

/** Picks a fault per request by weight; the first pick can be a late answer (I8). */
function picker(proxy: FaultProxy, weights: Array<[FaultMode, number]>, lateMs?: number) {
  const total = weights.reduce((sum, [, w]) => sum + w, 0)
  let late = lateMs
  return (): FaultMode => {
    if (late !== undefined) {
      // Minted at once, delivered after most of a lifetime (capped below the fetch timeout).
      proxy.state.slowMs = late
      late = undefined
      return 'slow'
    }
    let dice = Math.random() * total
    for (const [mode, weight] of weights) {
      dice -= weight
      if (dice >= 0) continue
      if (mode === 'slow') proxy.state.slowMs = 1_000 + Math.random() * 2_000
      return mode
    }
    return 'pass'
  }
}

/** Runs the phases and returns the checks of every session, plus unhandled rejections. */
export async function phasesRun(servers: Servers): Promise<{ checks: Check[]; totals: string }> {
  const { issuer, resource } = servers
  const timeline = new Timeline()
  const floors = new Map(LIFETIMES_SEC.map((l) => [`${l}s`, floorMs(l * 1000)]))
  const rec = new Recorder(
    (jti) => !!jti && resource.revoked.has(jti),
    (name) => floors.get(name)!,
  )
  const sessions: RealSession[] = []
  for (const lifetimeSec of LIFETIMES_SEC) {
    const proxy = await servers.proxy()
    proxy.state.retryAfter = String(RETRY_AFTER_SEC)
    sessions.push(startRealSession({ name: `${lifetimeSec}s`, lifetimeSec, issuer, proxy, rec }))
  }
  const revoke = (names: string[]) => {
    for (const s of sessions)
      resource.state.revokeShare[s.name] = names.includes(s.name) ? REVOKE_SHARE : 0
  }
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

  await phase('healthy', () => revoke(['6s', '20s']))
  await phase('flapping', () => {
    revoke([])
    for (const s of sessions) {
      const lateMs = Math.min(0.75 * s.lifetimeMs, SUITE_POLICY.fetchTimeoutMs - 1_000)
      s.proxy.setPicker(picker(s.proxy, FLAPPING, lateMs))
    }
  })
  await phase('outage', () => {
    for (const s of sessions) s.proxy.setPicker(picker(s.proxy, OUTAGE))
  })
  await phase('recovered', () => {
    revoke(sessions.map((s) => s.name))
    for (const s of sessions) s.proxy.setPicker(undefined)
  })
  timeline.end()
  stopped = true
  await workers
  revoke([])
  for (const s of sessions) s.dispose()
  // A timer the session cleared in dispose() is gone at once; give a stray one a turn.
  await new Promise((resolve) => setTimeout(resolve, 50))

  const checks = sessions.flatMap((s) =>
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
  const totals = `${rec.calls.length} connector calls, ${rec.requests.length} authFetch calls, ${rec.handOuts.length} tokens handed out, ${rec.errors.length} rejections, ${resource.revoked.size} tokens revoked`
  return { checks, totals }
}
