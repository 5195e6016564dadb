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

async function bodyOf(req: NodeRequestLike): Promise<BodyInit> {
  const parsed = req.body
  // An Express body parser already read the stream: rebuild the bytes from what it left.
  if (parsed instanceof Uint8Array) return new Uint8Array(parsed)
  if (typeof parsed === 'string') return parsed
  // Express 4 leaves `{}` when nothing was parsed: then the stream is still unread.
  const empty = typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length === 0
  if (parsed !== undefined && !empty) return JSON.stringify(parsed)
  const chunks: Uint8Array[] = []
  for await (const chunk of req)
    chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk)
  return new Blob(chunks as BlobPart[])
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
): NodeHandler {
  return async (req, res, next) => {
    let response: Response
    try {
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers))
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
      const method = req.method ?? 'GET'
      const url = new URL(
        req.originalUrl ?? req.url ?? '/',
        `http://${headers.get('host') ?? 'localhost'}`,
      )
      const body = method === 'GET' || method === 'HEAD' ? undefined : await bodyOf(req)
      response = await handler(new Request(url, { method, headers, body }))
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
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) res.setHeader('set-cookie', cookies)
    res.end(new Uint8Array(await response.arrayBuffer()))
  }
}
