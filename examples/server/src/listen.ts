import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeHandler } from '@keyway/server'

/**
 * Serves a Fetch API handler on 127.0.0.1. The handler is bound after listening, since
 * the app needs its own origin (the JWT issuer) before it can be built.
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
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
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
