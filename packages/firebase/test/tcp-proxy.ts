import { type AddressInfo, createServer, type Server, Socket } from 'node:net'

/**
 * A TCP proxy on loopback in front of the Auth emulator: `down()` cuts every connection
 * and refuses new ones, as an outage looks from the client; `up()` restores it.
 */
export async function startTcpProxy(targetPort: number) {
  const sockets = new Set<Socket>()
  let isDown = false
  const server: Server = createServer((client) => {
    if (isDown) return client.destroy()
    const upstream = new Socket()
    upstream.connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    down() {
      isDown = true
      for (const s of sockets) s.destroy()
    },
    up() {
      isDown = false
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
