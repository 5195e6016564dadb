import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeHandler } from '@keyway/server'

/** The port is taken by another process: a sentence for the person who ran the demo. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(
      `port ${port} is already in use on 127.0.0.1: stop what listens there, or pick another port (PORT=${port + 1} pnpm demo)`,
    )
    this.name = 'PortInUseError'
  }
}

/**
 * Serves a Fetch API handler on 127.0.0.1. The handler is bound after listening, since
 * the app needs its own origin (the JWT issuer) before it can be built. Rejects with
 * {@link PortInUseError} when the port is taken.
 */
export async function listen(port = 0) {
  let handler: (request: Request) => Promise<Response> = async () =>
    new Response('starting', { status: 503 })
  const node = toNodeHandler((request) => handler(request))
  const server: Server = createServer((req, res) => {
    node(req, res).catch(() => {
      res.statusCode = 500
      res.end('internal error')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error),
    )
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(next: (request: Request) => Promise<Response>) {
      handler = next
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
