// A real @hocuspocus/server (Node ≥ 22: run by node22() as a child process) whose hooks
// verify keyway tokens with @keyway/server against the test issuer's JWKS. It is strict
// about expiry, as a careful app is: a document connection closes ("Unauthorized") when its
// token expires unless a newer token arrived through token sync first. It prints one JSON
// line per event on stdout for the test to count.

import type { Connection } from '@hocuspocus/server'
import { Server } from '@hocuspocus/server'
import { createVerifier, custom } from '@keyway/server'

const verifier = createVerifier({
  providers: [
    custom({
      jwksUrl: process.env.JWKS_URL!,
      issuer: process.env.ISSUER!,
      audience: process.env.AUDIENCE!,
    }),
  ],
})

const print = (event: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ at: Date.now(), ...event })}\n`)

const expiryTimers = new Map<Connection, ReturnType<typeof setTimeout>>()

function closeAtExpiry(connection: Connection, exp: number) {
  clearTimeout(expiryTimers.get(connection))
  expiryTimers.set(
    connection,
    setTimeout(
      () => {
        print({ event: 'expired' })
        connection.close({ code: 4401, reason: 'Unauthorized' })
      },
      exp * 1000 - Date.now(),
    ),
  )
}

async function verify(token: string, kind: string) {
  try {
    const verified = await verifier.verify(token)
    print({ event: kind, ok: true, userId: verified.userId })
    return verified
  } catch (error) {
    print({ event: kind, ok: false, reason: (error as { reason?: string }).reason })
    throw error
  }
}

const server = new Server({
  address: '127.0.0.1',
  port: 0,
  quiet: true,
  async onAuthenticate({ token }) {
    const { userId, claims } = await verify(token, 'auth')
    return { userId, exp: claims.exp }
  },
  async connected({ connection, context }) {
    closeAtExpiry(connection, context.exp)
    connection.onClose(() => {
      clearTimeout(expiryTimers.get(connection))
      expiryTimers.delete(connection)
    })
  },
  async onTokenSync({ token, connection, context }) {
    const { userId, claims } = await verify(token, 'tokenSync')
    // A token for another user is not a renewal of this connection.
    if (userId !== context.userId) throw new Error('another user')
    closeAtExpiry(connection, claims.exp as number)
  },
  async onDisconnect() {
    print({ event: 'disconnect' })
  },
})

await server.listen()
print({ event: 'ready', port: server.address.port })
