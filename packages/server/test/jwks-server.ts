import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JWK } from 'jose'

/**
 * A real JWKS endpoint on 127.0.0.1 (port 0) that counts requests, can change its keys
 * (rotation), answer 503 (outage), and records every path asked for.
 */
export async function startJwksServer(keys: JWK[]) {
  const state = { requests: 0, down: false, keys, paths: [] as string[] }
  const server: Server = createServer((req, res) => {
    state.requests++
    state.paths.push(req.url ?? '')
    if (state.down) {
      res.statusCode = 503
      return res.end('down')
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ keys: state.keys }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    state,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export type JwksServer = Awaited<ReturnType<typeof startJwksServer>>
