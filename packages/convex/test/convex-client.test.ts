import { createSession, KeywayError, type Session } from '@keyway/core'
import {
  createFakeConnector,
  createTokenMinter,
  type FakeConnector,
  sleep,
  waitFor as until,
} from '@keyway/core/testing'
import { captureUnhandledRejections } from '@keyway/core/testing/vitest'
import { ConvexClient } from 'convex/browser'
import { makeFunctionReference } from 'convex/server'
import { afterEach, describe, expect, it } from 'vitest'
import { convexFetchToken } from '../src/index.js'
import { createConvexSyncDouble } from './convex-sync-double.js'

// The real ConvexClient (convex/browser) over a double of the deployment's sync socket, with
// real timers: what convex-js does with the token is the thing under test.

const list = makeFunctionReference<'query', Record<string, never>, number[] | null>('messages:list')
const send = makeFunctionReference<'mutation', { n: number }, null>('messages:send')

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** What convex-js leaves unhandled: it calls fetchToken from `void` promises. */
const unhandled = captureUnhandledRejections()

async function setup(options: { lifetimeSec: number; cacheMarginSec?: number }) {
  const minter = await createTokenMinter()
  const connector: FakeConnector = await createFakeConnector({ minter, ...options })
  const session: Session = createSession({ connector })
  const deployment = createConvexSyncDouble({ jwks: minter.jwks, issuer: minter.issuer })
  const client = new ConvexClient('http://127.0.0.1:3210', {
    webSocketConstructor: deployment.WebSocket,
    skipConvexDeploymentUrlCheck: true,
    initialAuthTokenReuse: true,
    logger: process.env.CONVEX_VERBOSE ? undefined : false,
    verbose: !!process.env.CONVEX_VERBOSE,
  })
  const authChanges: boolean[] = []
  client.setAuth(convexFetchToken(session), (authenticated) => authChanges.push(authenticated))
  let seen: number[] | null = null
  const unsubscribe = client.onUpdate(list, {}, (value) => {
    seen = value
  })
  cleanups.push(
    () => session.dispose(),
    () => deployment.finish(),
    () => client.close(),
    () => unsubscribe(),
  )
  return { connector, session, deployment, client, authChanges, seen: () => seen }
}

describe('convexFetchToken with the real ConvexClient over a double of the sync protocol', () => {
  it('authenticates once, syncs the signed-in user’s query, and runs mutations', async () => {
    const { connector, deployment, client, authChanges, seen } = await setup({ lifetimeSec: 300 })
    await until(() => authChanges.includes(true))
    await client.mutation(send, { n: 1 })
    await until(() => seen()?.length === 1)
    expect(seen()).toEqual([1])
    expect(deployment.stats.acceptedTokens).toEqual([connector.minted[0]])
    // initialAuthTokenReuse: Convex keeps the token it confirmed; one connector call in all.
    expect(connector.callCount).toBe(1)
  })

  it('a token the deployment refuses: a different one comes back, no unauthenticated flicker', async () => {
    const { connector, session, deployment, client, authChanges } = await setup({
      lifetimeSec: 300,
    })
    await until(() => authChanges.includes(true))
    expect(deployment.rejectCurrent()).toBe(1)
    await client.mutation(send, { n: 1 })
    expect(deployment.stats.acceptedTokens).toEqual([connector.minted[0], connector.minted[1]])
    expect(session.getSnapshot().counters.rejections).toBe(1)
    expect(authChanges).not.toContain(false)
    expect(deployment.stats.unauthenticatedMutations).toBe(0)
    expect(deployment.longestUnauthenticatedMs).toBeLessThan(1_000)
  })

  it('a provider that answers the same token to a forced refresh: Convex waits for the next one instead of being de-authenticated', async () => {
    // The provider serves its cached token while it has more than 12 s left, forced or not.
    const { connector, session, deployment, authChanges, client } = await setup({
      lifetimeSec: 20,
      cacheMarginSec: 12,
    })
    await until(() => authChanges.includes(true))
    connector.ignoreForce(true)
    deployment.rejectCurrent()
    await until(() => session.getSnapshot().counters.fetches === 2)
    expect(connector.minted).toHaveLength(1)
    // Convex holds on, waiting, until the session's own refresh brings a new token: a 20 s
    // token is refreshed 8 s (40 % of its life) plus up to 2 s of jitter before it ends, 9-11 s
    // in. When Convex asks again meanwhile, the refused token counts as rejected twice and the
    // session backs off (failure budget included), so the new token may take up to a minute.
    await until(() => deployment.stats.acceptedTokens.length === 2, 65_000)
    expect(new Set(deployment.stats.acceptedTokens).size).toBe(2)
    expect(authChanges).not.toContain(false)
    await client.mutation(send, { n: 1 })
  }, 80_000)

  it('the provider is down at refresh time: Convex keeps its token and waits, then gets the new one', async () => {
    const { connector, deployment, authChanges, client } = await setup({ lifetimeSec: 14 })
    await until(() => authChanges.includes(true))
    connector.failAlways(new Error('503 Service Unavailable'))
    // Convex's refetch (exp - iat - 10 s = 4 s) meets a provider that is down.
    await sleep(5_000)
    await client.mutation(send, { n: 1 })
    expect(authChanges).not.toContain(false)
    connector.failAlways(null)
    await until(() => deployment.stats.acceptedTokens.length === 2, 8_000)
    expect(authChanges).not.toContain(false)
    expect(deployment.stats.expiredOnSocket).toBe(0)
  }, 20_000)

  it('a final error at refresh time: Convex hears null and onChange(false), nothing is thrown into it', async () => {
    const { connector, session, authChanges } = await setup({ lifetimeSec: 14 })
    await until(() => authChanges.includes(true))
    connector.failAlways(
      new KeywayError('ERR_CONFIG', 'The provider refuses this client', { transient: false }),
    )
    // Convex's refetch (exp - iat - 10 s = 4 s) meets a provider that says this will not work.
    await until(() => authChanges.includes(false), 8_000)
    expect(session.getSnapshot().lastError?.code).toBe('ERR_CONFIG')
    expect(unhandled).toEqual([])
  }, 15_000)

  it('the session is disposed while Convex waits out an outage: Convex hears null, nothing is thrown into it', async () => {
    const { connector, session, authChanges } = await setup({ lifetimeSec: 14 })
    await until(() => authChanges.includes(true))
    connector.failAlways(new Error('503 Service Unavailable'))
    // Convex's refetch at 4 s is waiting for the session's next token.
    await sleep(5_000)
    expect(authChanges).not.toContain(false)
    session.dispose()
    await until(() => authChanges.includes(false), 3_000)
    expect(unhandled).toEqual([])
  }, 15_000)

  it('sign-out: null, and Convex reports unauthenticated', async () => {
    const { connector, session, deployment, authChanges } = await setup({ lifetimeSec: 300 })
    await until(() => authChanges.includes(true))
    connector.setUser(null)
    await until(() => session.getSnapshot().status === 'signedOut')
    // The next time Convex asks (here: the deployment refuses the old token), it hears null.
    deployment.rejectCurrent()
    await until(() => authChanges.includes(false))
    expect(authChanges.at(-1)).toBe(false)
  })
})
