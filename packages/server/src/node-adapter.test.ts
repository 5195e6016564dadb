import { createServer, type Server } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { readBounded } from './bounded-body.js'
import { toNodeHandler } from './node-adapter.js'

// Resource bounds of the Node adapter on a real node:http server on 127.0.0.1, with a raw
// TCP client that keeps sending: the server must stop reading past the limit.

const servers: Server[] = []
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  }
})

/** A handler that reads at most 64 KiB, as the link handler does. */
const bounded = toNodeHandler(async (request) => {
  const body = await readBounded(request.body, 64 * 1024, request.headers.get('content-length'))
  return body.ok
    ? Response.json({ bytes: body.bytes.byteLength })
    : Response.json({ error: body.reason }, { status: body.reason === 'too_large' ? 413 : 400 })
})

async function serve(handler: ReturnType<typeof toNodeHandler>) {
  const sockets: Socket[] = []
  const server = createServer((req, res) => void handler(req, res))
  server.on('connection', (s) => sockets.push(s))
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as AddressInfo).port, sockets }
}

/** Sends `total` bytes of chunked body as fast as the socket takes them; resolves the answer. */
function flood(port: number, total: number, headers = 'transfer-encoding: chunked') {
  return new Promise<{ status: number; sent: number }>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let sent = 0
    let answer = ''
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const frame = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ])
    socket.on('connect', () => {
      socket.write(`POST /link/link HTTP/1.1\r\nhost: 127.0.0.1\r\n${headers}\r\n\r\n`)
      const pump = () => {
        while (sent < total && !socket.destroyed) {
          sent += chunk.length
          if (!socket.write(frame)) return void socket.once('drain', pump)
        }
      }
      pump()
    })
    socket.on('data', (data) => {
      answer += data.toString()
    })
    socket.on('error', () => undefined)
    socket.on('close', () => resolve({ status: Number(answer.split(' ')[1]), sent }))
  })
}

describe('toNodeHandler: request bodies are bounded while they are read', () => {
  it('a 64 MB chunked body: 413, and the server reads a small fraction before it closes', async () => {
    const { port, sockets } = await serve(bounded)
    const { status, sent } = await flood(port, 64 * 1024 * 1024)
    const read = sockets[0]!.bytesRead
    console.info(`[adapter] client sent ${sent} bytes, server read ${read}`)
    expect(status).toBe(413)
    expect(read).toBeLessThan(8 * 1024 * 1024)
  })

  it('a declared Content-Length over the adapter limit: 413 before the handler runs', async () => {
    let calls = 0
    const { port } = await serve(
      toNodeHandler(
        () => {
          calls++
          return new Response('ok')
        },
        { maxBodyBytes: 1024 },
      ),
    )
    const { status } = await flood(port, 0, 'content-length: 10000000')
    expect([status, calls]).toEqual([413, 0])
  })

  it('a handler that reads everything gets an error past the adapter limit, not the whole stream', async () => {
    const { port } = await serve(
      toNodeHandler(
        async (request) => {
          const text = await request.text().catch(() => undefined)
          return new Response(null, { status: text === undefined ? 413 : 200 })
        },
        { maxBodyBytes: 256 * 1024 },
      ),
    )
    const { status } = await flood(port, 32 * 1024 * 1024)
    expect(status).toBe(413)
  })

  it('a small body passes through whole', async () => {
    const { port } = await serve(bounded)
    const response = await fetch(`http://127.0.0.1:${port}/link/link`, {
      method: 'POST',
      body: 'x'.repeat(1000),
    })
    expect(await response.json()).toEqual({ bytes: 1000 })
  })
})
