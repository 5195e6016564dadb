// Neon Auth (@neondatabase/auth: a Better Auth client with Neon's plugins, fetch wrapper and
// session cache) with @keyway/better-auth, against a REAL Better Auth server in-process with the
// jwt plugin, as Neon Auth runs Better Auth. No double: both ends are the real code.
// docs/providers/neon-auth.md says what these tests found.
import { betterAuthConnector } from '@keyway/better-auth'
import { decodeJwt, isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import { runConnectorConformance } from '@keyway/core/testing/vitest'
import { createAuthClient as createNeonAuthClient } from '@neondatabase/auth'
import { createAuthClient } from 'better-auth/client'
import { jwtClient } from 'better-auth/client/plugins'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startBetterAuth } from '../../packages/better-auth/test/better-auth-server.js'
import { cookieFetch } from '../support/cookie-fetch.js'

let server: Awaited<ReturnType<typeof startBetterAuth>>
const nodeFetch = globalThis.fetch
beforeAll(async () => {
  server = await startBetterAuth()
})
afterAll(async () => {
  vi.unstubAllGlobals()
  await server.close()
})

const PASSWORD = 'correct horse battery'
let devices = 0
/**
 * A new browser: the app signs in with Neon's client, which calls the global fetch (so the
 * cookie jar is installed there); keyway reads tokens through a plain Better Auth client on
 * the same auth URL and the same cookies, as docs/providers/neon-auth.md recommends.
 */
function device() {
  const jar = cookieFetch(nodeFetch)
  vi.stubGlobal('fetch', jar)
  const neon = createNeonAuthClient(server.url)
  const forKeyway = createAuthClient({
    baseURL: server.url,
    plugins: [jwtClient()],
    fetchOptions: { customFetchImpl: jar },
  })
  const run = ++devices
  const signIn = async (user: string) => {
    const email = `${user}-${run}@keyway.test`
    // Neon's client throws its HTTP errors: an existing user's sign-up rejects.
    const up = await neon.signUp.email({ email, password: PASSWORD, name: user }).catch(() => null)
    if (!up || up.error) await neon.signIn.email({ email, password: PASSWORD })
  }
  return { neon, forKeyway, signIn, connector: betterAuthConnector(forKeyway) }
}

/** What the plain client's session atom does on focus (Better Auth refetches it then). */
const pollSession = (client: ReturnType<typeof device>['forKeyway']) =>
  client.$store.atoms.session!.get().refetch() as Promise<void>

runConnectorConformance({
  name: "neon-auth (@neondatabase/auth's client signs in, better-auth/client for tokens, real Better Auth server)",
  async setup() {
    const { neon, forKeyway, signIn, connector } = device()
    return {
      connector,
      controls: {
        // Neon's client does not update the plain client's atom: the user comes back to the
        // tab (focus), and Better Auth's client asks for the session.
        signIn: async (user) => {
          await signIn(user)
          await pollSession(forKeyway)
        },
        signOut: async () => {
          await neon.signOut()
          await pollSession(forKeyway)
        },
        // Better Auth mints a new token per call; iat has one-second resolution.
        beforeForceRefresh: () => new Promise<void>((r) => setTimeout(r, 1_050)),
        outage: async (down) => server.outage(down),
        revoke: async () => {
          const { data } = await forKeyway.getSession()
          server.revokeSessions(data!.user.id)
        },
        poll: () => pollSession(forKeyway),
      },
    }
  },
})

describe("@keyway/better-auth over Neon's own client (what it does differently)", () => {
  it('it throws its HTTP errors (AuthApiError 401), which @keyway/better-auth reads as signed out', async () => {
    const { neon } = device()
    const raw = await neon.token().catch((e: unknown) => e)
    expect(raw).toMatchObject({ name: 'AuthApiError', status: 401 })
    await expect(betterAuthConnector(neon).fetchCredentials(fetchOptions())).resolves.toBeNull()
  })

  it('it answers /token from its session cache, with no token in it: why keyway uses a plain client', async () => {
    const { neon, forKeyway, signIn } = device()
    await signIn('ada')
    await neon.getSession() // as the app does to show who is signed in: Neon caches the answer
    const cached = await neon.token()
    // Neon maps /token to its get-session hook: the cached sign-in session, not the jwt plugin's answer.
    expect(cached.data).not.toHaveProperty('token')
    expect(cached.data).toHaveProperty('session')
    const error = await betterAuthConnector(neon)
      .fetchCredentials(fetchOptions())
      .catch((e: unknown) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    // The plain client on the same cookies gets the jwt plugin's token.
    const creds = await betterAuthConnector(forKeyway).fetchCredentials(fetchOptions())
    const { data } = await forKeyway.getSession()
    expect(decodeJwt(creds!.token).payload.sub).toBe(data!.user.id)
  })
})

describe("keyway on a Neon Auth app: signed in with Neon's client, tokens through better-auth/client", () => {
  it('follows the Neon sign-in: a token with sub = the user, a forced refresh mints a new one', async () => {
    const { forKeyway, signIn, connector } = device()
    await expect(connector.fetchCredentials(fetchOptions())).resolves.toBeNull()
    await signIn('grace')
    const first = await connector.fetchCredentials(fetchOptions())
    const { data } = await forKeyway.getSession()
    expect(decodeJwt(first!.token).payload.sub).toBe(data!.user.id)
    await new Promise((r) => setTimeout(r, 1_050)) // iat has one-second resolution
    const forced = await connector.fetchCredentials(fetchOptions({ forceRefresh: true }))
    expect(forced!.token).not.toBe(first!.token)
  })

  it('a Neon sign-out, or a revoked session, is null; an unreachable server is transient', async () => {
    const { neon, forKeyway, signIn, connector } = device()
    await signIn('linus')
    const { data } = await forKeyway.getSession()
    server.outage(true)
    const error = await connector.fetchCredentials(fetchOptions()).catch((e: unknown) => e)
    server.outage(false)
    expect(isKeywayError(error, 'ERR_NETWORK')).toBe(true)
    server.revokeSessions(data!.user.id)
    await expect(connector.fetchCredentials(fetchOptions())).resolves.toBeNull()
    await signIn('linus')
    await neon.signOut()
    await expect(connector.fetchCredentials(fetchOptions())).resolves.toBeNull()
  })
})
