// Refresh storm: 100 000 clients whose tokens were all issued in the same second (the provider
// just came back from an outage). Each client then refreshes by its SDK's policy, receives a
// new token at once, and schedules the next refresh from it. Counted: refresh requests per
// second at the provider over two hours. keyway's policy is core's real refresh-schedule code
// with a seeded random; the others are models of their SDKs' code (see MODELS).

import { DEFAULT_POLICY } from '../packages/core/src/index.js'
import { refreshOffset } from '../packages/core/src/session/timing.js'
import { seededRandom } from '../packages/core/src/testing/index.js'
import { round, writeStage } from './support/stats.js'

const CLIENTS = 100_000
const WINDOW_SEC = 2 * 3600
const HOUR = 3600

interface Model {
  name: string
  lifetimeSec: number
  model: string
  /** When a client holding a token received at `receivedSec` next calls the provider. */
  next(receivedSec: number, random: () => number): number
}

const supabaseTick = (phase: number) => (receivedSec: number, lifetime: number) => {
  // auth-js: a 30 s ticker; refresh when floor((exp - now) / 30 s) <= 3, i.e. < 120 s left.
  const exp = receivedSec + lifetime
  let tick = phase + Math.ceil((receivedSec - phase) / 30) * 30
  while (Math.floor((exp - tick) / 30) > 3) tick += 30
  return tick
}

export const MODELS: Model[] = [
  {
    name: 'keyway',
    lifetimeSec: HOUR,
    model:
      'core `refreshOffset(lifetime, DEFAULT_POLICY, random)`: lead clamp(25%, 10 s, 5 min) plus 0–10% of the lifetime earlier, uniform',
    next: (r, random) => r + HOUR - refreshOffset(HOUR * 1000, DEFAULT_POLICY, random) / 1000,
  },
  {
    name: 'Firebase Auth',
    lifetimeSec: HOUR,
    model: 'proactive refresh 5 min before expiry, no jitter',
    next: (r) => r + HOUR - 300,
  },
  {
    name: 'supabase-js',
    lifetimeSec: HOUR,
    model:
      'auth-js 30 s auto-refresh ticker (phase = client start, uniform over 30 s); refresh at the first tick with floor(left / 30 s) ≤ 3',
    next: () => Number.NaN, // replaced per client below: the phase is the client's own
  },
  {
    name: 'Convex',
    lifetimeSec: HOUR,
    model: 'refetch `exp − iat − 10 s` after the token arrived, no jitter',
    next: (r) => r + HOUR - 10,
  },
  {
    name: 'Clerk',
    lifetimeSec: 60,
    model:
      'clerk-js 6.40 token cache: timer at `exp − floor(now) − 15 − 2` s (≈ 17 s before expiry), no jitter; Clerk tokens live 60 s (not 1 h)',
    next: (r) => 60 + Math.floor(r) - 17 + (r - Math.floor(r)),
  },
  {
    name: 'keyway, 60 s tokens',
    lifetimeSec: 60,
    model: 'as keyway, with Clerk-like 60 s tokens: lead 15 s, up to 6 s jitter',
    next: (r, random) => r + 60 - refreshOffset(60_000, DEFAULT_POLICY, random) / 1000,
  },
]

export interface StormResult {
  name: string
  lifetimeSec: number
  model: string
  perSecond: number[]
  total: number
  peak: number
  peakAtSec: number
  mean: number
  peakOverMean: number
  /** Peak against a perfectly even spread of one refresh per client per lifetime. */
  peakOverIdeal: number
}

function simulate(model: Model, seed: number): StormResult {
  const random = seededRandom(seed)
  const perSecond = new Array<number>(WINDOW_SEC).fill(0)
  for (let c = 0; c < CLIENTS; c++) {
    const issued = random() // every token issued within the same second
    const phase = random() * 30
    const next =
      model.name === 'supabase-js'
        ? (r: number) => supabaseTick(phase)(r, model.lifetimeSec)
        : (r: number) => model.next(r, random)
    for (let at = next(issued); at < WINDOW_SEC; at = next(at)) perSecond[Math.floor(at)]!++
  }
  const total = perSecond.reduce((a, b) => a + b, 0)
  const peak = Math.max(...perSecond)
  const mean = total / WINDOW_SEC
  const ideal = CLIENTS / model.lifetimeSec
  return {
    name: model.name,
    lifetimeSec: model.lifetimeSec,
    model: model.model,
    perSecond,
    total,
    peak,
    peakAtSec: perSecond.indexOf(peak),
    mean: round(mean),
    peakOverMean: round(peak / mean, 1),
    peakOverIdeal: round(peak / ideal, 1),
  }
}

export function runStorm(): { clients: number; windowSec: number; results: StormResult[] } {
  return {
    clients: CLIENTS,
    windowSec: WINDOW_SEC,
    results: MODELS.map((m, i) => simulate(m, 1000 + i)),
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const started = performance.now()
  const storm = runStorm()
  writeStage('storm', storm)
  for (const r of storm.results)
    console.log(
      `storm ${r.name}: peak ${r.peak}/s at ${r.peakAtSec}s, mean ${r.mean}/s, peak/mean ${r.peakOverMean}`,
    )
  console.log(`storm: ${Math.round(performance.now() - started)} ms`)
}
