/**
 * The plumbing every local DOUBLE of a provider's HTTP API shares, so that each double
 * (`packages/<provider>/test/*-double.ts`) holds only what its provider does: routes, token
 * shapes and error bodies, read from the provider SDK's own code.
 *
 * - listens on 127.0.0.1, on a free port, and answers CORS preflights as a provider API does
 *   for browser SDKs (origin echoed, credentials allowed);
 * - parses the request body (JSON, `application/x-amz-json-1.1`, form) and cookies;
 * - outages: `'down'` destroys every socket (the SDK's `fetch` fails with a network error),
 *   a status (503, 429) answers every request with the provider's own failure body;
 * - counts requests, so a test can prove that nothing loops.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface DoubleRequest {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  /** Parsed JSON or form body; `{}` when there is none. */
  body: Record<string, unknown>
  cookies: Record<string, string>
}

export interface DoubleReply {
  status?: number
  /** Sent as JSON (a string is sent as it is). */
  body?: unknown
  headers?: Record<string, string | string[]>
}

/** `'ok'` serves; `'down'` refuses connections; a number answers that status to everything. */
export type DoubleMode = 'ok' | 'down' | number

export interface ApiDoubleOptions {
  /** The provider's body for an outage status (its 5xx or rate-limit shape). */
  failure?(status: number): DoubleReply
}

export interface ApiDouble {
  origin: string
  /** Requests answered so far (preflights not counted). */
  readonly requests: number
  mode(mode: DoubleMode): void
  close(): Promise<void>
}

function parseBody(text: string, type: string | undefined): Record<string, unknown> {
  if (!text) return {}
  if (type?.includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text))
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return { text }
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const pairs = (header ?? '').split(';').map((p) => p.trim().split('='))
  return Object.fromEntries(pairs.filter(([k]) => k).map(([k, ...v]) => [k, v.join('=')]))
}

/**
 * Starts a double that answers every request with `handle`.
 *
 * @example
 * ```ts
 * const api = await startApiDouble(({ url }) =>
 *   url.pathname === '/token' ? { body: { token } } : { status: 404 },
 * )
 * await fetch(`${api.origin}/token`)
 * await api.close()
 * ```
 */
export async function startApiDouble(
  handle: (request: DoubleRequest) => DoubleReply | Promise<DoubleReply>,
  options: ApiDoubleOptions = {},
): Promise<ApiDouble> {
  const sockets = new Set<Socket>()
  let mode: DoubleMode = 'ok'
  let requests = 0
  let origin = ''

  const server = createServer(async (req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
    res.setHeader('access-control-allow-credentials', 'true')
    res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS')
    const asked = req.headers['access-control-request-headers']
    if (asked) res.setHeader('access-control-allow-headers', asked)
    if (req.method === 'OPTIONS') return void res.writeHead(204).end()
    requests++
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    let reply: DoubleReply
    try {
      reply =
        typeof mode === 'number'
          ? (options.failure?.(mode) ?? { status: mode, body: { message: 'double outage' } })
          : await handle({
              method: req.method ?? 'GET',
              url: new URL(req.url ?? '/', origin),
              headers: req.headers,
              body: parseBody(Buffer.concat(chunks).toString(), req.headers['content-type']),
              cookies: parseCookies(req.headers.cookie),
            })
    } catch (error) {
      reply = { status: 500, body: { message: String(error) } }
    }
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {})
    // Browser SDKs read their tokens from response headers: expose every one the reply sets.
    const exposed = Object.keys(reply.headers ?? {}).join(', ')
    if (exposed) res.setHeader('access-control-expose-headers', exposed)
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers })
    res.end(body)
  })
  server.on('connection', (socket) => {
    if (mode === 'down') return void socket.destroy()
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    origin,
    get requests() {
      return requests
    },
    mode(next) {
      mode = next
      if (next === 'down') for (const socket of sockets) socket.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
