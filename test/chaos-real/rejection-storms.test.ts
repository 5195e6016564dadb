import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../chaos/fault-proxy.js'
import {
  type Check,
  onlyKeywayErrors,
  rejectionStorms,
  report,
  type StormRound,
  wrongAudience,
} from './invariants.js'
import { type Issuer, startIssuer } from './issuer.js'
import { floorMs, startRealSession } from './real-session.js'
import { Recorder } from './record.js'
import { type ResourceServer, startResourceServer } from './resource-server.js'
import { Timeline } from './timeline.js'

// I2 on a real clock: a data API revokes the token that N requests carry at once (key
// rotation, revoked session), six times within a minute; and a backend that rejects every new
// token (a misconfigured audience).

let issuer: Issuer
let resource: ResourceServer
let proxy: FaultProxy

beforeAll(async () => {
  issuer = await startIssuer()
  resource = await startResourceServer(issuer.jwksUrl)
  proxy = await startFaultProxy(issuer.origin)
})
afterAll(async () => {
  await proxy?.close()
  await resource?.close()
  await issuer?.close()
})

const jtiOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function recorder(lifetimeMs: number) {
  return new Recorder(
    new Timeline(),
    (jti) => !!jti && resource.revoked.has(jti),
    () => floorMs(lifetimeMs),
  )
}

it('N concurrent 401s of one token make one call, and six revocations in a minute all recover', async () => {
  const STORMS = 6
  const N = 50
  const rec = recorder(60_000)
  const s = startRealSession({ name: 'storm', lifetimeSec: 60, issuer, proxy, rec })
  const rounds: StormRound[] = []
  try {
    for (let round = 0; round < STORMS; round++) {
      const token = await s.session.getToken()
      resource.revoke(jtiOf(token))
      const callsBefore = rec.calls.length
      const statuses = await Promise.all(
        Array.from({ length: N }, async () => {
          const { id, headers } = rec.newRequest()
          const at = Date.now()
          try {
            const response = await s.api(resource.url, { headers })
            await response.body?.cancel()
            rec.request(s.name, id, at)
            return response.status
          } catch (e) {
            rec.request(s.name, id, at, e)
            return 0
          }
        }),
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
  const failed = report(
    'rejection storms (60 s tokens)',
    rejectionStorms(s.name, rounds, errorStatus),
  )
  expect(failed.map((c) => `${c.id} ${c.what} — ${c.figure}`)).toEqual([])
}, 90_000)

it('a backend that rejects every new token costs at most 3 rejection calls, then ERR_REJECTED', async () => {
  const WINDOW_MS = 12_000
  const rec = recorder(20_000)
  const s = startRealSession({
    name: 'aud',
    lifetimeSec: 20,
    issuer,
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
          const { id, headers } = rec.newRequest()
          const at = Date.now()
          await s.api(resource.url, { headers }).then(
            async (response) => {
              await response.body?.cancel()
              rec.request(s.name, id, at)
            },
            (e) => {
              if ((e as { code?: string })?.code === 'ERR_REJECTED') rejectedAt ??= Date.now()
              rec.request(s.name, id, at, e)
            },
          )
          await sleep(200)
        }
      }),
    )
  } finally {
    s.dispose()
  }
  const checks: Check[] = [wrongAudience(s.name, rec.calls, rejectedAt, WINDOW_MS)]
  checks.push(onlyKeywayErrors(s.name, rec.errors))
  const failed = report('wrong audience (20 s tokens)', checks)
  expect(failed.map((c) => `${c.id} ${c.what} — ${c.figure}`)).toEqual([])
}, 60_000)
