import { type Check, handOutFloor, noOverclaim } from './invariants.js'
import { floorMs, startRealSession } from './real-session.js'
import { Recorder } from './record.js'
import type { Servers } from './servers.js'
import { runWorkers } from './workers.js'

// I7 and I8 when a session's first token answer arrives late, the case where one sample is
// all the session knows of the issuer's clock: the token is minted at once and delivered
// after most of its lifetime (a slow network). A session must not believe it has a full
// lifetime left, nor hand the token out below the floor.

const CASES = [
  { lifetimeSec: 6, lateMs: 4_500 },
  { lifetimeSec: 20, lateMs: 15_000 },
]

export async function lateFirstAnswer(servers: Servers): Promise<Check[]> {
  const rec = new Recorder(
    () => false,
    (name) => floorMs(Number.parseInt(name.slice(4), 10) * 1000),
  )
  const runs = await Promise.all(
    CASES.map(async ({ lifetimeSec, lateMs }) => {
      const proxy = await servers.proxy()
      proxy.state.slowMs = lateMs
      let first = true
      proxy.setPicker(() => {
        const mode = first ? 'slow' : 'pass'
        first = false
        return mode
      })
      const s = startRealSession({
        name: `late${lifetimeSec}`,
        lifetimeSec,
        issuer: servers.issuer,
        proxy,
        rec,
        // The late answer must arrive, not time out.
        policy: { fetchTimeoutMs: lateMs + 1_000 },
      })
      const stopAt = Date.now() + lateMs + 10_000
      await runWorkers(s, rec, servers.resource.url, () => Date.now() >= stopAt, 5)
      s.dispose()
      return s
    }),
  )
  return runs.flatMap((s) => {
    const mine = rec.handOuts.filter((h) => h.session === s.name)
    return [handOutFloor(s.name, s.lifetimeMs, mine), noOverclaim(s.name, mine)]
  })
}
