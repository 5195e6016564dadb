import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * How the proxy treats each new connection:
 *
 * | mode | what the client sees |
 * |---|---|
 * | `pass` | the upstream server, byte for byte |
 * | `5xx` | `503 Service Unavailable` once the request arrived, then close |
 * | `429` | `429 Too Many Requests` with `Retry-After: <retryAfter>`, then close |
 * | `hang` | a connection that accepts the request and never answers |
 * | `reset` | a TCP reset (RST) once the request arrived |
 * | `close` | a clean close (FIN) once the request arrived, with no answer |
 * | `reset-mid-body` | the upstream's status line, headers and half its body, then a TCP reset |
 * | `slow` | the upstream's answer, held back `slowMs` after it was ready (minted, then late) |
 */
export type FaultMode =
  | 'pass'
  | '5xx'
  | '429'
  | 'hang'
  | 'reset'
  | 'close'
  | 'reset-mid-body'
  | 'slow'

/** What the proxy did with one connection, and when (wall-clock ms). */
export interface FaultRecord {
  at: number
  mode: FaultMode
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the upstream's origin, through the proxy. */
  url: string
  state: {
    mode: FaultMode
    retryAfter: string
    requests: number
    faulted: number
    /** How long `slow` holds an answer back. */
    slowMs: number
  }
  /** Every connection that carried a request, with the mode it met. */
  log: FaultRecord[]
  /**
   * Chooses the mode of each new connection (flapping); `undefined` goes back to `state.mode`.
   * With an upstream that closes after each answer, that is a mode per request.
   */
  setPicker(pick: (() => FaultMode) | undefined): void
  /**
   * Switches mode and drops every open connection, so pooled keep-alive ones see it too;
   * resolves once they are closed and the client had a turn to notice.
   */
  setMode(mode: FaultMode): Promise<void>
  close(): Promise<void>
}

const RESPONSES: Partial<Record<FaultMode, (retryAfter: string) => string>> = {
  '5xx': () =>
    'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\nunavailable',
  '429': (retryAfter) =>
    `HTTP/1.1 429 Too Many Requests\r\nretry-after: ${retryAfter}\r\ncontent-type: text/plain\r\ncontent-length: 9\r\nconnection: close\r\n\r\nslow down`,
}

/**
 * A fault-injecting TCP proxy on 127.0.0.1 (port 0) in front of a loopback HTTP server:
 * real sockets, so the client's own fetch (undici) meets real resets, closes and hangs.
 */
export async function startFaultProxy(upstream: string | URL): Promise<FaultProxy> {
  const target = new URL(upstream)
  const state: FaultProxy['state'] = {
    mode: 'pass',
    retryAfter: '30',
    requests: 0,
    faulted: 0,
    slowMs: 1_000,
  }
  const log: FaultRecord[] = []
  let pick: (() => FaultMode) | undefined
  const sockets = new Set<Socket>()
  const keep = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }

  const server: Server = createServer((client) => {
    keep(client)
    const mode = pick ? pick() : state.mode
    client.once('data', () => log.push({ at: Date.now(), mode }))
    if (mode === 'slow' || mode === 'reset-mid-body') return forwardFaulty(client, mode)
    if (mode === 'pass') {
      const up = connect(Number(target.port), target.hostname)
      keep(up)
      up.on('close', () => client.destroy())
      client.on('close', () => up.destroy())
      client.on('data', () => state.requests++)
      client.pipe(up).pipe(client)
      return
    }
    client.once('data', () => {
      state.requests++
      state.faulted++
      if (mode === 'hang') return
      if (mode === 'reset') return client.resetAndDestroy()
      if (mode === 'close') return client.end()
      client.end(RESPONSES[mode]!(state.retryAfter))
    })
  })
  /** Forwards the request at once; the answer comes back late, or cut in the middle of its body. */
  const forwardFaulty = (client: Socket, mode: 'slow' | 'reset-mid-body') => {
    const up = connect(Number(target.port), target.hostname)
    keep(up)
    client.on('close', () => up.destroy())
    client.on('data', () => {
      state.requests++
      state.faulted++
    })
    client.pipe(up)
    if (mode === 'slow') {
      // The answer waits in the upstream socket's buffer (nobody reads it yet), then flows.
      up.pause()
      const timer = setTimeout(() => up.pipe(client), state.slowMs)
      client.on('close', () => clearTimeout(timer))
      return
    }
    let received = Buffer.alloc(0)
    up.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const headerEnd = received.indexOf('\r\n\r\n')
      if (headerEnd < 0 || received.length <= headerEnd + 4) return
      const bodyBytes = received.length - headerEnd - 4
      client.write(received.subarray(0, headerEnd + 4 + Math.floor(bodyBytes / 2)), () =>
        client.resetAndDestroy(),
      )
      up.destroy()
    })
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  const dropAll = async () => {
    const closed = [...sockets].map((s) => new Promise((r) => s.once('close', r)))
    for (const s of sockets) s.destroy()
    await Promise.all(closed)
    // The client's end of each socket sees the close on its next turns of the event loop.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r))
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    state,
    log,
    setPicker(next) {
      pick = next
    },
    setMode(mode) {
      state.mode = mode
      return dropAll()
    },
    async close() {
      await dropAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
