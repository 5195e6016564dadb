import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../chaos/fault-proxy.js'
import { handOutFloor, noOverclaim, report } from './invariants.js'
import { type Issuer, startIssuer } from './issuer.js'
import { floorMs, startRealSession } from './real-session.js'
import { Recorder } from './record.js'
import { type ResourceServer, startResourceServer } from './resource-server.js'
import { Timeline } from './timeline.js'
import { runWorkers } from './workers.js'

// I7 and I8 when a session's first token answer arrives late, the case where one sample is
// all the session knows of the issuer's clock: the token is minted at once and delivered
// after most of its lifetime (a slow network). A session must not believe it has a full
// lifetime left, nor hand the token out below the floor.

let issuer: Issuer
let resource: ResourceServer
const proxies: FaultProxy[] = []

beforeAll(async () => {
  issuer = await startIssuer()
  resource = await startResourceServer(issuer.jwksUrl)
})
afterAll(async () => {
  for (const proxy of proxies) await proxy.close()
  await resource?.close()
  await issuer?.close()
})

const CASES = [
  { lifetimeSec: 6, lateMs: 4_500 },
  { lifetimeSec: 20, lateMs: 15_000 },
]

it('a first answer late by most of a lifetime: tokens keep the floor and never claim more life than they have', async () => {
  const timeline = new Timeline()
  const rec = new Recorder(
    timeline,
    () => false,
    (name) => floorMs(Number.parseInt(name.slice(4), 10) * 1000),
  )
  const runs = await Promise.all(
    CASES.map(async ({ lifetimeSec, lateMs }) => {
      const proxy = await startFaultProxy(issuer.origin)
      proxies.push(proxy)
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
        issuer,
        proxy,
        rec,
        // The late answer must arrive, not time out.
        policy: { fetchTimeoutMs: lateMs + 1_000 },
      })
      const stopAt = Date.now() + lateMs + 10_000
      await runWorkers(s, rec, resource.url, () => Date.now() >= stopAt, 5)
      s.dispose()
      return s
    }),
  )
  const checks = runs.flatMap((s) => {
    const mine = rec.handOuts.filter((h) => h.session === s.name)
    return [handOutFloor(s.name, s.lifetimeMs, mine), noOverclaim(s.name, mine)]
  })
  const failed = report('late first answer', checks)
  expect(failed.map((c) => `${c.id} ${c.session}: ${c.what} — ${c.figure}`)).toEqual([])
}, 60_000)
