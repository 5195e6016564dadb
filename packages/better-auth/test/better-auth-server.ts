import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { betterAuth } from 'better-auth'
import { memoryAdapter } from 'better-auth/adapters/memory'
import { toNodeHandler } from 'better-auth/node'
import { jwt } from 'better-auth/plugins'

/** A real Better Auth server in-process (email + password, jwt plugin ES256, memory database). */
export async function startBetterAuth() {
  const db: Record<string, Record<string, unknown>[]> = {
    user: [],
    session: [],
    account: [],
    verification: [],
    jwks: [],
  }
  const sockets = new Set<Socket>()
  let down = false
  let handler: ReturnType<typeof toNodeHandler> | undefined
  const server: Server = createServer((req, res) => {
    if (down) return req.socket.destroy()
    void handler!(req, res)
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const auth = betterAuth({
    baseURL: url,
    secret: 'keyway-test-secret-0123456789-0123456789',
    trustedOrigins: [url],
    database: memoryAdapter(db),
    emailAndPassword: { enabled: true, requireEmailVerification: false },
    plugins: [jwt({ jwks: { keyPairConfig: { alg: 'ES256' } }, jwt: { expirationTime: '15m' } })],
  })
  handler = toNodeHandler(auth)
  return {
    url,
    db,
    outage(on: boolean) {
      down = on
      if (on) for (const s of sockets) s.destroy()
    },
    /** Ends every session of a user on the server (an admin revocation). */
    revokeSessions(userId: string) {
      db.session = db.session!.filter((s) => s.userId !== userId)
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
