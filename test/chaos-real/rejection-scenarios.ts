import {
  type Check,
  onlyKeywayErrors,
  rejectionStorms,
  type StormRound,
  wrongAudience,
} from './invariants.js'
import { floorMs, startRealSession } from './real-session.js'
import { Recorder } from './record.js'
import type { Servers } from './servers.js'

// I2 on a real clock: a data API revokes the token that N requests carry at once (key
// rotation, revoked session), six times within a minute; and a backend that rejects every new
// token (a misconfigured audience).

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const jtiOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string

function recorder(servers: Servers, lifetimeMs: number) {
  return new Recorder(
    (jti) => !!jti && servers.resource.revoked.has(jti),
    () => floorMs(lifetimeMs),
  )
}

/** Sends one request through the session's `authFetch`; resolves its final status, 0 if it rejected. */
async function send(rec: Recorder, name: string, api: typeof fetch, url: string) {
  const { id, headers } = rec.newRequest()
  const at = Date.now()
  try {
    const response = await api(url, { headers })
    await response.body?.cancel()
    rec.request(name, id, at)
    return response.status
  } catch (e) {
    rec.request(name, id, at, e)
    return 0
  }
}

/** Six storms of 50 requests, 3 s apart, each carrying a token revoked just before. */
export async function revocationStorms(servers: Servers): Promise<Check[]> {
  const STORMS = 6
  const N = 50
  const rec = recorder(servers, 60_000)
  const proxy = await servers.proxy()
  const s = startRealSession({ name: 'storm', lifetimeSec: 60, issuer: servers.issuer, proxy, rec })
  const rounds: StormRound[] = []
  try {
    for (let round = 0; round < STORMS; round++) {
      const token = await s.session.getToken()
      servers.resource.revoke(jtiOf(token))
      const callsBefore = rec.calls.length
      const statuses = await Promise.all(
        Array.from({ length: N }, () => send(rec, s.name, s.api, servers.resource.url)),
      )
      rounds.push({
        requests: N,
        succeeded: statuses.filter((status) => status === 200).length,
        calls: rec.calls.length - callsBefore,
      })
      await sleep(3_000)
    }
  } finally {
    s.dispose()
  }
  const errorStatus = rec.statuses.filter((r) => r.status === 'error').length
  return [...rejectionStorms(s.name, rounds, errorStatus), onlyKeywayErrors(s.name, rec.errors)]
}

/** Five workers for 12 s against a data API that rejects every token the issuer mints. */
export async function rejectEveryToken(servers: Servers): Promise<Check[]> {
  const WINDOW_MS = 12_000
  const rec = recorder(servers, 20_000)
  const proxy = await servers.proxy()
  const s = startRealSession({
    name: 'aud',
    lifetimeSec: 20,
    issuer: servers.issuer,
    proxy,
    rec,
    wrongAudience: true,
  })
  let rejectedAt: number | undefined
  s.session.subscribe(() => {
    if (s.session.getSnapshot().lastError?.code === 'ERR_REJECTED') rejectedAt ??= Date.now()
  })
  const until = Date.now() + WINDOW_MS
  try {
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        while (Date.now() < until) {
          await send(rec, s.name, s.api, servers.resource.url)
          await sleep(200)
        }
      }),
    )
  } finally {
    s.dispose()
  }
  const rejected = rec.errors.find((e) => e.code === 'ERR_REJECTED')?.at
  const firstRejected = Math.min(rejectedAt ?? Infinity, rejected ?? Infinity)
  return [
    wrongAudience(
      s.name,
      rec.calls,
      Number.isFinite(firstRejected) ? firstRejected : undefined,
      WINDOW_MS,
    ),
    onlyKeywayErrors(s.name, rec.errors),
  ]
}
