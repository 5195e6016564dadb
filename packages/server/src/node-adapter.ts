/** The parts of Node's `IncomingMessage` (and Express's `req`) the adapter reads. */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string
  url?: string
  /** Express: the URL before the mount path was stripped from `url`. */
  originalUrl?: string
  headers: Record<string, string | string[] | undefined>
  /** Express with a body parser puts the parsed body here. */
  body?: unknown
}

/** The parts of Node's `ServerResponse` (and Express's `res`) the adapter writes. */
export interface NodeResponseLike {
  statusCode: number
  setHeader(name: string, value: string | string[]): unknown
  end(body?: Uint8Array | string): unknown
}

/** A Node-style handler; `next` is Express's, called with the error a handler threw. */
export type NodeHandler = (
  req: NodeRequestLike,
  res: NodeResponseLike,
  next?: (error?: unknown) => void,
) => Promise<void>

/** Node's `readable.iterator()`: lets a reader stop without destroying the socket. */
interface IterableStream {
  iterator?(options: { destroyOnReturn: boolean }): AsyncIterator<Uint8Array | string>
}

/**
 * The unread request stream as a Fetch body, pulled one chunk at a time (nothing is read
 * ahead of the handler), erroring once more than `maxBytes` arrived. When the handler stops
 * reading (a body limit), the adapter stops too; `done()` tells whether the stream was read
 * to its end, so the connection can be closed instead of drained.
 */
function streamOf(req: NodeRequestLike, maxBytes: number) {
  const source = req as NodeRequestLike & IterableStream
  const chunks =
    typeof source.iterator === 'function'
      ? source.iterator({ destroyOnReturn: false })
      : req[Symbol.asyncIterator]()
  let seen = 0
  let ended = false
  let cancelled = false
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next()
        if (done) {
          ended = true
          return controller.close()
        }
        const chunk = typeof value === 'string' ? new TextEncoder().encode(value) : value
        seen += chunk.byteLength
        if (seen > maxBytes) {
          cancelled = true
          await chunks.return?.()
          return controller.error(new RangeError(`Request body over ${maxBytes} bytes`))
        }
        controller.enqueue(chunk)
      },
      async cancel() {
        cancelled = true
        await chunks.return?.()
      },
    },
    { highWaterMark: 0 },
  )
  /**
   * Reads what is left, up to `limit` bytes in all, so the connection can be kept: `true`
   * when the stream ended within it (a handler that ignored a small body, like `{}`).
   */
  async function drain(limit: number): Promise<boolean> {
    while (!ended && seen <= limit) {
      const { done, value } = await chunks.next()
      if (done) ended = true
      else seen += typeof value === 'string' ? value.length : value.byteLength
    }
    return ended
  }
  return { stream, done: () => ended, cancelled: () => cancelled, drain }
}

/** A body the handler left unread is read and dropped up to this size, to keep the connection. */
const DRAIN_BYTES = 16 * 1024

/** An Express body parser already read the stream: rebuild the bytes from what it left. */
function parsedBody(req: NodeRequestLike): BodyInit | undefined {
  const parsed = req.body
  if (parsed instanceof Uint8Array) return new Uint8Array(parsed)
  if (typeof parsed === 'string') return parsed
  // Express 4 leaves `{}` when nothing was parsed: then the stream is still unread.
  const empty = typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length === 0
  if (parsed !== undefined && !empty) return JSON.stringify(parsed)
  return undefined
}

/** Options of `toNodeHandler`. */
export interface NodeHandlerOptions {
  /**
   * Largest request body passed on, bytes: a larger `Content-Length` is answered 413
   * without reading, and a stream that grows past it errors for the handler. Default 1 MiB.
   */
  maxBodyBytes?: number
}

/**
 * Runs a Fetch API handler (`links.handle`, a route calling `verifyRequest`) from Node's
 * http server or Express, without depending on either. A thrown error goes to Express's
 * `next`, or becomes a bare 500 without one.
 *
 * @example
 * ```ts
 * app.use('/link', toNodeHandler((request) => links.handle(request))) // Express
 * createServer(toNodeHandler(handle)).listen(3000) // node:http
 * createServer(toNodeHandler((request) => honoApp.fetch(request))) // Hono without @hono/node-server
 * ```
 */
export function toNodeHandler(
  handler: (request: Request) => Response | Promise<Response>,
  options: NodeHandlerOptions = {},
): NodeHandler {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  /** The handler's answer, and whether it left part of the request body unread. */
  async function answer(req: NodeRequestLike): Promise<{ response: Response; unread: boolean }> {
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    const method = req.method ?? 'GET'
    const url = new URL(
      req.originalUrl ?? req.url ?? '/',
      `http://${headers.get('host') ?? 'localhost'}`,
    )
    const parsed = method === 'GET' || method === 'HEAD' ? undefined : parsedBody(req)
    if (method === 'GET' || method === 'HEAD' || parsed !== undefined)
      return {
        response: await handler(new Request(url, { method, headers, body: parsed })),
        unread: false,
      }
    if (Number(headers.get('content-length')) > maxBodyBytes)
      return { response: new Response(null, { status: 413 }), unread: true }
    const streamed = streamOf(req, maxBodyBytes)
    const init = { method, headers, body: streamed.stream, duplex: 'half' }
    const response = await handler(new Request(url, init as RequestInit))
    // A stream the handler cancelled (a body limit) is done with: close rather than drain it.
    const unread =
      !streamed.done() && (streamed.cancelled() || !(await streamed.drain(DRAIN_BYTES)))
    return { response, unread }
  }

  return async (req, res, next) => {
    let response: Response
    let unread: boolean
    try {
      ;({ response, unread } = await answer(req))
    } catch (error) {
      if (next) return next(error)
      res.statusCode = 500
      res.end()
      return
    }
    res.statusCode = response.status
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') res.setHeader(name, value)
    })
    // The handler stopped reading a body: close rather than drain what the client still sends.
    if (unread) res.setHeader('connection', 'close')
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) res.setHeader('set-cookie', cookies)
    res.end(new Uint8Array(await response.arrayBuffer()))
  }
}
