import { createSession } from '@keyway/core'
import { createTestPlatform } from '@keyway/core/testing'
import { runConnectorConformance } from '@keyway/core/testing/vitest'
import { createAuthClient } from 'better-auth/client'
import { jwtClient } from 'better-auth/client/plugins'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBetterAuth } from '../test/better-auth-server.js'
import { cookieFetch } from '../test/cookie-fetch.js'
import { betterAuthConnector } from './better-auth-connector.js'

// A real Better Auth server in-process (jwt plugin); its JWTs verified against its JWKS.
let server: Awaited<ReturnType<typeof startBetterAuth>>
beforeAll(async () => {
  server = await startBetterAuth()
})
afterAll(() => server.close())

const PASSWORD = 'correct horse battery'
let devices = 0
function device() {
  const fetch = cookieFetch()
  const client = createAuthClient({
    baseURL: server.url,
    plugins: [jwtClient()],
    fetchOptions: { customFetchImpl: fetch },
  })
  const run = ++devices
  const signIn = async (user: string) => {
    const email = `${user}-${run}@keyway.test`
    const up = await client.signUp.email({ email, password: PASSWORD, name: user })
    if (up.error) await client.signIn.email({ email, password: PASSWORD })
  }
  return { client, signIn }
}

runConnectorConformance({
  name: 'better-auth (real Better Auth server in-process)',
  async setup() {
    const { client, signIn } = device()
    return {
      connector: betterAuthConnector(client),
      controls: {
        signIn,
        signOut: async () => {
          await client.signOut()
        },
        // Better Auth mints a new token per call; iat has one-second resolution.
        beforeForceRefresh: () => new Promise<void>((r) => setTimeout(r, 1_050)),
        outage: async (down) => server.outage(down),
        revoke: async () => {
          const { data } = await client.getSession()
          server.revokeSessions(data!.user.id)
        },
      },
    }
  },
  teardown: async () => server.outage(false),
})

describe('betterAuthConnector (real Better Auth server)', () => {
  it('hands out JWTs that verify against the server JWKS, sub = the user id', async () => {
    const { client, signIn } = device()
    await signIn('ada')
    const creds = await betterAuthConnector(client).fetchCredentials({
      forceRefresh: false,
      reason: 'initial',
      signal: new AbortController().signal,
    })
    const { payload } = await jwtVerify(
      creds!.token,
      createRemoteJWKSet(new URL(`${server.url}/api/auth/jwks`)),
    )
    expect(payload.sub).toBe((await client.getSession()).data!.user.id)
  })

  it('a Session survives an outage (token kept, the failed session poll is no sign-out), a revocation (signed out, no loop) and a user switch', async () => {
    const { client, signIn } = device()
    await signIn('grace')
    const t = createTestPlatform({ startWall: Date.now() })
    const session = createSession({ connector: betterAuthConnector(client), platform: t.platform })
    const first = await session.getToken()
    server.outage(true)
    await session.refresh().catch(() => undefined)
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).toBe(first)
    server.outage(false)

    await signIn('linus')
    await session.refresh()
    expect(await session.getToken()).not.toBe(first)
    expect(session.getSnapshot().userId).toBe((await client.getSession()).data!.user.id)

    // The session may be re-fetching after the sign-in (its userId null meanwhile): revoke by
    // the provider's own idea of the user.
    server.revokeSessions((await client.getSession()).data!.user.id)
    await t.clock.advance(61_000)
    await session.refresh().catch(() => undefined)
    expect(session.getSnapshot().status).toBe('signedOut')
    const fetches = session.getSnapshot().counters.fetches
    await t.clock.advance(30 * 60_000)
    expect(session.getSnapshot().counters.fetches).toBe(fetches)
    session.dispose()
  })
})
