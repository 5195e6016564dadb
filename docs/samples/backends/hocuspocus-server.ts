import { Server } from '@hocuspocus/server'
import { createVerifier, custom } from '@keyway/server'

const verifier = createVerifier({
  providers: [
    custom({
      jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
      issuer: 'https://auth.example.com',
      audience: 'collab',
    }),
  ],
})

export const server = new Server({
  port: 1234,
  // Every connect and reconnect: a fresh token from keyway.
  async onAuthenticate({ token }) {
    const { userId, claims } = await verifier.verify(token)
    return { userId, exp: claims.exp }
  },
  // Each new token keyway sends on the live connection (token sync).
  async onTokenSync({ token, context }) {
    const { userId } = await verifier.verify(token)
    if (userId !== context.userId) throw new Error('another user')
  },
})
