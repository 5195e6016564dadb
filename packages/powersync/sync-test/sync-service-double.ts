// A double of the PowerSync Service's sync endpoint (`POST /sync/stream`) on 127.0.0.1, for the
// real PowerSync clients (@powersync/node, and @powersync/web in Chromium, for which it answers
// CORS preflights). It follows what the client sends and its sync core reads
// (@powersync/shared-internals src/client/sync/stream/AbstractRemote.ts and
// AbstractStreamingSyncImplementation.ts; the line types are the service's StreamingSyncLine):
// - the request: `Authorization: Token <jwt>`, a JSON body with `buckets: [{ name, after }]`;
// - the answer: `application/x-ndjson`, one JSON object a line: `checkpoint` (last_op_id, bucket
//   checksums and counts), `data` (the bucket's ops after `after`: PUT with object_type,
//   object_id, data as a JSON string and a checksum), `checkpoint_complete`, later
//   `checkpoint_diff` for new ops, and `token_expires_in` keepalives.
// Auth as the service does it: the JWT is verified with jose against the JWKS this double serves
// at `/.well-known/jwks.json` (fetched over HTTP with createRemoteJWKSet), with the audience set;
// a missing, invalid or expired token gets 401; the stream ends when its token expires
// (`token_expires_in: 0`, then the end of the response), so the next request with that token
// gets 401. `rejectCurrent()` plays a service that refuses a still-valid token: the open streams
// end and their tokens get 401 from then on.

import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createOutageMeter } from '@keyway/core/testing'
import { createRemoteJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'

interface Op {
  opId: number
  id: string
  n: number
}

interface Stream {
  res: ServerResponse
  token: string
  sentUpTo: number
  keepalive: ReturnType<typeof setInterval>
  expiry: ReturnType<typeof setTimeout>
}

export interface SyncServiceStats {
  requests: number
  refused: number
  streams: number
  /** Streams ended because their token expired. */
  expired: number
  injected: number
  /** Ops sent while no stream was open (they reach the client on its next stream). */
  opsWhileDisconnected: number
  /** Ms of life each accepted token had left when it opened a stream. */
  remainingAtOpenMs: number[]
}

const BUCKET = 'global[]'

export async function startSyncServiceDouble(options: {
  jwks: JSONWebKeySet
  issuer: string
  audience: string
  keepaliveMs?: number
}) {
  const ops: Op[] = []
  const streams = new Set<Stream>()
  const revoked = new Set<string>()
  const stats: SyncServiceStats = {
    requests: 0,
    refused: 0,
    streams: 0,
    expired: 0,
    injected: 0,
    opsWhileDisconnected: 0,
    remainingAtOpenMs: [],
  }
  const outage = createOutageMeter()
  const noteStreams = () => outage.note(streams.size > 0)

  const checksumOf = (upTo: number) => ops.slice(0, upTo).reduce((sum, op) => (sum + op.n) >>> 0, 0)
  const line = (stream: Stream, value: object) => stream.res.write(`${JSON.stringify(value)}\n`)

  /** Sends the ops the stream has not seen yet, as one checkpoint (diff after the first). */
  function sync(stream: Stream, first: boolean) {
    const last = ops.length
    const bucket = { bucket: BUCKET, checksum: checksumOf(last), count: last, priority: 3 }
    if (first)
      line(stream, {
        checkpoint: { last_op_id: String(last), write_checkpoint: null, buckets: [bucket] },
      })
    else if (last > stream.sentUpTo)
      line(stream, {
        checkpoint_diff: {
          last_op_id: String(last),
          write_checkpoint: null,
          updated_buckets: [bucket],
          removed_buckets: [],
        },
      })
    else return
    const fresh = ops.slice(stream.sentUpTo, last)
    if (fresh.length > 0)
      line(stream, {
        data: {
          bucket: BUCKET,
          has_more: false,
          after: String(stream.sentUpTo),
          next_after: String(last),
          data: fresh.map((op) => ({
            op_id: String(op.opId),
            op: 'PUT',
            object_type: 'items',
            object_id: op.id,
            data: JSON.stringify({ n: op.n }),
            checksum: op.n,
            subkey: null,
          })),
        },
      })
    stream.sentUpTo = last
    line(stream, { checkpoint_complete: { last_op_id: String(last) } })
  }

  function end(stream: Stream) {
    clearInterval(stream.keepalive)
    clearTimeout(stream.expiry)
    if (!streams.delete(stream)) return
    stream.res.end()
    noteStreams()
  }

  const server = createServer((req, res) => {
    // A browser client (@powersync/web) calls from the page's origin, as the service allows.
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'POST')
      res.setHeader(
        'access-control-allow-headers',
        req.headers['access-control-request-headers'] ?? '',
      )
      res.statusCode = 204
      return res.end()
    }
    if (req.url === '/.well-known/jwks.json') {
      res.setHeader('content-type', 'application/json')
      return res.end(JSON.stringify(options.jwks))
    }
    if (req.method !== 'POST' || req.url !== '/sync/stream') {
      res.statusCode = 404
      return res.end()
    }
    stats.requests++
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', async () => {
      const token = (req.headers.authorization ?? '').replace(/^Token /, '')
      let exp: number
      try {
        if (revoked.has(token)) throw new Error('token revoked')
        const { payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
        })
        exp = payload.exp! * 1000
      } catch (error) {
        stats.refused++
        res.statusCode = 401
        res.setHeader('content-type', 'application/json')
        return res.end(
          JSON.stringify({ error: { code: 'PSYNC_S2101', description: (error as Error).message } }),
        )
      }
      const request = JSON.parse(body || '{}') as {
        buckets?: Array<{ name: string; after: string }>
      }
      const after = Number(request.buckets?.find((b) => b.name === BUCKET)?.after ?? 0)
      res.setHeader('content-type', 'application/x-ndjson')
      stats.streams++
      stats.remainingAtOpenMs.push(exp - Date.now())
      const stream: Stream = {
        res,
        token,
        sentUpTo: Math.min(after, ops.length),
        keepalive: setInterval(() => {
          line(stream, { token_expires_in: Math.max(0, Math.floor((exp - Date.now()) / 1000)) })
        }, options.keepaliveMs ?? 5_000),
        expiry: setTimeout(() => {
          stats.expired++
          line(stream, { token_expires_in: 0 })
          end(stream)
        }, exp - Date.now()),
      }
      streams.add(stream)
      noteStreams()
      res.on('close', () => end(stream))
      // The first line after a (re)connect: the full checkpoint, then what the client lacks.
      stream.sentUpTo = Math.min(after, ops.length)
      sync(stream, true)
      line(stream, { token_expires_in: Math.floor((exp - Date.now()) / 1000) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`))

  return {
    url,
    stats,
    /** Longest stretch (ms) with no stream open, once one had been. */
    get longestDisconnectedMs() {
      return outage.longestMs
    },
    /** Appends a row to the bucket and streams it to every open stream. */
    insert(n: number) {
      ops.push({ opId: ops.length + 1, id: `row-${n}`, n })
      if (streams.size === 0) stats.opsWhileDisconnected++
      for (const stream of streams) sync(stream, false)
    },
    /** The service refuses the tokens of the open streams from now on: they end. */
    rejectCurrent(): number {
      const open = [...streams]
      for (const stream of open) {
        revoked.add(stream.token)
        end(stream)
      }
      stats.injected += open.length
      return open.length
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const stream of [...streams]) end(stream)
        outage.finish()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
