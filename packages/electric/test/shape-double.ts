// A double of Electric's HTTP shape API (`GET /v1/shape`) behind an auth proxy that verifies the
// JWT, on 127.0.0.1. It answers what @electric-sql/client's ShapeStream asks and checks
// (node_modules/@electric-sql/client/src/client.ts, fetch.ts, constants.ts):
// - query `table`, `offset` (`-1` = from the start), `handle` (after the first answer) and
//   `live=true` once the client is up to date;
// - headers `electric-handle`, `electric-offset` on every answer, `electric-schema` on non-live
//   ones, `electric-cursor` on live ones, `electric-up-to-date` when the log is exhausted;
// - a body that is a JSON array of change messages (`key`, `value`, `headers.operation`) ending
//   with the `up-to-date` control message when the client has everything;
// - live requests are held until a row arrives or `liveTimeoutMs` passes (Electric holds 20 s).
// The proxy verifies `Authorization: Bearer` against the JWKS with jose and answers 401 for a
// missing, invalid, expired or revoked token; `rejectNext()` plays a 401 for a still-valid one.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'

export interface ShapeRequest {
  offset: string
  live: boolean
  status: number
  /** The token it carried (for the test's checks only; never printed). */
  token: string
  /** Epoch ms at which it arrived. */
  at: number
}

export async function startShapeDouble(options: {
  jwks: JSONWebKeySet
  issuer: string
  liveTimeoutMs?: number
}) {
  const keys = createLocalJWKSet(options.jwks)
  const handle = 'shape-handle-1'
  const log: Array<{ id: string; n: number }> = []
  const waiting = new Set<() => void>()
  const requests: ShapeRequest[] = []
  const revoked = new Set<string>()
  let rejectNext = 0
  let answerNext: number | undefined
  const liveTimeoutMs = options.liveTimeoutMs ?? 2_000

  /** Entries after `offset` ("-1", or "<count>_0" as this double hands them out). */
  const after = (offset: string) => (offset === '-1' ? 0 : Number.parseInt(offset, 10))
  const offsetOf = (count: number) => `${count}_0`

  async function verify(req: IncomingMessage): Promise<string> {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
    if (revoked.has(token)) throw new Error('token revoked')
    await jwtVerify(token, keys, { issuer: options.issuer })
    return token
  }

  function send(res: ServerResponse, from: number, live: boolean) {
    const rows = log.slice(from)
    const body = [
      ...rows.map((row) => ({
        key: `"public"."items"/"${row.id}"`,
        value: { id: row.id, n: String(row.n) },
        headers: { operation: 'insert', relation: ['public', 'items'] },
      })),
      { headers: { control: 'up-to-date' } },
    ]
    res.setHeader('content-type', 'application/json')
    res.setHeader('electric-handle', handle)
    res.setHeader('electric-offset', offsetOf(log.length))
    res.setHeader('electric-up-to-date', '')
    if (live) res.setHeader('electric-cursor', String(Date.now()))
    else
      res.setHeader(
        'electric-schema',
        JSON.stringify({ id: { type: 'text' }, n: { type: 'text' } }),
      )
    res.end(JSON.stringify(body))
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const offset = url.searchParams.get('offset') ?? '-1'
    const live = url.searchParams.get('live') === 'true'
    const record: ShapeRequest = { offset, live, status: 200, token: '', at: Date.now() }
    requests.push(record)
    const fail = (status: number, message: string) => {
      record.status = status
      res.statusCode = status
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ message }))
    }
    if (url.pathname !== '/v1/shape') return fail(404, 'not found')
    try {
      record.token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      await verify(req)
    } catch (error) {
      return fail(401, `unauthorized: ${(error as Error).message}`)
    }
    if (rejectNext > 0) {
      rejectNext--
      revoked.add(record.token)
      return fail(401, 'unauthorized: token rejected')
    }
    if (answerNext !== undefined) {
      const status = answerNext
      answerNext = undefined
      return fail(status, 'refused')
    }
    if (offset !== '-1' && url.searchParams.get('handle') !== handle)
      return fail(409, 'must refetch')
    const from = after(offset)
    if (!live || from < log.length) return send(res, from, live)
    // Live and up to date: hold until a row arrives or the long-poll times out.
    const done = () => {
      clearTimeout(timer)
      waiting.delete(done)
      if (!res.writableEnded) send(res, from, true)
    }
    const timer = setTimeout(done, liveTimeoutMs)
    waiting.add(done)
    res.on('close', () => {
      clearTimeout(timer)
      waiting.delete(done)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/shape`

  return {
    url,
    requests,
    /** Appends a row to the shape's log and wakes the held live requests. */
    insert(n: number) {
      log.push({ id: String(n), n })
      for (const wake of [...waiting]) wake()
    },
    /** The next request is refused with 401 (and its token revoked), whatever it carries. */
    rejectNext() {
      rejectNext++
    },
    /** The next request is answered with this status. */
    answerNext(status: number) {
      answerNext = status
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const wake of [...waiting]) wake()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
