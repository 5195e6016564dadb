import { type Check, onlyKeywayErrors, retryAfterFloor } from './invariants.js'
import { floorMs, startRealSession } from './real-session.js'
import { Recorder } from './record.js'
import type { Servers } from './servers.js'
import { runWorkers } from './workers.js'

// I4 with callers waiting: the issuer answers nothing but 429 with `Retry-After: 2` while 20
// workers ask for a token they do not have yet. Every next call must wait the 2 s, whoever
// triggers it.

const RETRY_AFTER_SEC = 2
const RUN_MS = 12_000

export async function retryAfterWithWaitingCallers(servers: Servers): Promise<Check[]> {
  const rec = new Recorder(
    () => false,
    () => floorMs(20_000),
  )
  const proxy = await servers.proxy()
  proxy.state.mode = '429'
  proxy.state.retryAfter = String(RETRY_AFTER_SEC)
  const s = startRealSession({ name: '429', lifetimeSec: 20, issuer: servers.issuer, proxy, rec })
  const stopAt = Date.now() + RUN_MS
  await runWorkers(s, rec, servers.resource.url, () => Date.now() >= stopAt, 20)
  s.dispose()
  return [
    retryAfterFloor(s.name, proxy.log, RETRY_AFTER_SEC * 1000, 2),
    onlyKeywayErrors(s.name, rec.errors),
  ]
}
