import { Agent, createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A round-robin HTTP proxy on 127.0.0.1 (port 0) in front of backends (ports on 127.0.0.1):
 * each request goes to the next backend in turn, as a load balancer would.
 */
export async function startRoundRobinProxy(initial: number[]) {
  const backends = [...initial]
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  let next = 0
  const served: number[] = []
  const server: Server = createServer((req, res) => {
    const index = next++ % backends.length
    served[index] = (served[index] ?? 0) + 1
    const upstream = request(
      {
        host: '127.0.0.1',
        port: backends[index],
        path: req.url,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => {
      res.statusCode = 502
      res.end()
    })
    req.pipe(upstream)
  })
  // Clients keep their connections between bursts; a short idle timeout would reset them mid-use.
  server.keepAliveTimeout = 60_000
  server.headersTimeout = 65_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Backend ports; more may be pushed once they listen. */
    backends,
    /** Requests forwarded to each backend. */
    served,
    close: () =>
      new Promise<void>((r) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
