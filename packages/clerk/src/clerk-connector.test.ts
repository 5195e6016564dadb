import { ClerkAPIResponseError, ClerkRuntimeError } from '@clerk/clerk-js'
import { type Connector, createSession, decodeJwt, isKeywayError } from '@keyway/core'
import { createTestPlatform, fetchOptions, flushPromises } from '@keyway/core/testing'
import { runConnectorConformance } from '@keyway/core/testing/vitest'
import { describe, expect, it } from 'vitest'
import { createClerkDouble } from '../test/clerk-double.js'
import { clerkConnector } from './clerk-connector.js'
import { toKeywayClerkError } from './clerk-errors.js'

// No Clerk Frontend API runs here: these tests use an in-memory DOUBLE of a Clerk instance
// (test/clerk-double.ts) with clerk-js's surface, cache and error classes.

function counted(connector: Connector) {
  const counter = { calls: 0 }
  return {
    counter,
    connector: {
      ...connector,
      fetchCredentials(o: Parameters<Connector['fetchCredentials']>[0]) {
        counter.calls++
        return connector.fetchCredentials(o)
      },
    } satisfies Connector,
  }
}

runConnectorConformance({
  name: 'clerk (in-memory double of a Clerk instance)',
  async setup() {
    const double = await createClerkDouble()
    await double.load()
    return {
      connector: clerkConnector(double.clerk),
      controls: {
        signIn: (user) => double.signIn(user),
        signOut: () => double.signOut(),
        outage: async (down) => double.setOffline(down),
        revoke: async () => double.revoke(),
      },
    }
  },
})

describe('clerkConnector (Clerk double)', () => {
  it('waits for Clerk to load: a persisted session is never answered as signed out', async () => {
    const double = await createClerkDouble({ persistedUser: 'alice' })
    const connector = clerkConnector(double.clerk)
    let settled = false
    const pending = connector.fetchCredentials(fetchOptions()).finally(() => {
      settled = true
    })
    for (let i = 0; i < 5; i++) await flushPromises()
    expect(settled).toBe(false)
    await double.load()
    const creds = await pending
    expect(decodeJwt(creds!.token).payload.sub).toBe('user_alice')
  })

  it('a Clerk that failed to load is a transient error, not a sign-out', async () => {
    const double = await createClerkDouble()
    const connector = clerkConnector({
      ...double.clerk,
      loaded: false,
      session: undefined,
      on: (_e, handler, o) => o?.notify && handler('error'),
    })
    const error = await connector.fetchCredentials(fetchOptions()).catch((e) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect(error.transient).toBe(true)
  })

  it("uses Clerk's cache unless forced: skipCache mints a new token", async () => {
    const double = await createClerkDouble({ persistedUser: 'alice' })
    await double.load()
    const connector = clerkConnector(double.clerk)
    const a = await connector.fetchCredentials(fetchOptions())
    const b = await connector.fetchCredentials(fetchOptions())
    expect(b!.token).toBe(a!.token)
    expect(double.stats.mints).toBe(1)
    const forced = await connector.fetchCredentials(
      fetchOptions({ forceRefresh: true, reason: 'manual' }),
    )
    expect(forced!.token).not.toBe(a!.token)
    expect(double.stats.mints).toBe(2)
  })

  it('asks for the JWT template given in the options', async () => {
    const double = await createClerkDouble({
      persistedUser: 'alice',
      templates: { supabase: { aud: 'authenticated', role: 'authenticated' } },
    })
    await double.load()
    const creds = await clerkConnector(double.clerk, { template: 'supabase' }).fetchCredentials(
      fetchOptions(),
    )
    expect(decodeJwt(creds!.token).payload).toMatchObject({
      aud: 'authenticated',
      sub: 'user_alice',
    })
  })

  it('a revoked session throws ERR_REVOKED (final) with the Frontend API 401 in cause', async () => {
    const double = await createClerkDouble({ persistedUser: 'alice' })
    await double.load()
    const connector = clerkConnector(double.clerk)
    await connector.fetchCredentials(fetchOptions())
    double.revoke()
    const error = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_REVOKED')).toBe(true)
    expect(error.transient).toBe(false)
    expect(error.cause).toMatchObject({ status: 401 })
    await flushPromises()
    expect(await connector.fetchCredentials(fetchOptions())).toBeNull()
  })

  it('does not fire subscribe on its own token refreshes, only on session changes', async () => {
    const double = await createClerkDouble({ persistedUser: 'alice' })
    await double.load()
    const connector = clerkConnector(double.clerk)
    let changes = 0
    const off = connector.subscribe(() => changes++)
    await connector.fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
    await double.signIn('alice') // a new session, even for the same user
    expect(changes).toBe(1)
    off()
    await double.signOut()
    expect(changes).toBe(1)
  })
})

describe('toKeywayClerkError (real clerk-js error classes)', () => {
  const apiError = (status: number, code: string, retryAfter?: number) =>
    Object.assign(
      new ClerkAPIResponseError('x', {
        status,
        data: [{ code, message: code, long_message: code }],
      }),
      { retryAfter },
    )

  it.each([
    [new ClerkRuntimeError('offline', { code: 'clerk_offline' }), 'ERR_OFFLINE', true],
    [new ClerkRuntimeError('net', { code: 'network_error' }), 'ERR_NETWORK', true],
    [new TypeError('Failed to fetch'), 'ERR_NETWORK', true],
    [apiError(401, 'signed_out'), 'ERR_REVOKED', false],
    [apiError(403, 'user_locked'), 'ERR_REVOKED', false],
    [apiError(404, 'resource_not_found'), 'ERR_REVOKED', false],
    [apiError(429, 'too_many_requests', 7), 'ERR_RATE_LIMITED', true],
    [apiError(503, 'service_unavailable'), 'ERR_PROVIDER', true],
    [new Error('something else'), 'ERR_PROVIDER', true],
  ] as const)('%s → %s (transient %s), original in cause', (error, code, transient) => {
    const mapped = toKeywayClerkError(error)
    expect(mapped.code).toBe(code)
    expect(mapped.transient).toBe(transient)
    expect(mapped.cause).toBe(error)
  })

  it('carries Retry-After from a 429', () => {
    expect(toKeywayClerkError(apiError(429, 'too_many_requests', 7)).retryAfterMs).toBe(7000)
  })
})

describe('a Session on clerkConnector survives (Clerk double)', () => {
  async function signedIn() {
    const t = createTestPlatform({ startWall: Date.now() })
    const double = await createClerkDouble({ now: t.clock.wallNow, persistedUser: 'alice' })
    void double.load()
    const { connector, counter } = counted(clerkConnector(double.clerk))
    const session = createSession({ connector, platform: t.platform })
    const token = await session.getToken()
    return { t, double, session, counter, token }
  }

  it('an outage (clerk-js offline error): token kept, status unchanged', async () => {
    const { double, session, token } = await signedIn()
    double.setOffline(true)
    const error = await session.refresh().catch((e) => e)
    expect(isKeywayError(error, 'ERR_OFFLINE')).toBe(true)
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).toBe(token)
    session.dispose()
  })

  it('a revoked session: error or signedOut, and the fetch count stops growing', async () => {
    const { t, double, session, counter } = await signedIn()
    double.revoke()
    // The 401 (ERR_REVOKED) and Clerk's sign-out that follows it race; either ends the session.
    const outcome = await session.refresh().catch((e) => e)
    expect(outcome === null || isKeywayError(outcome, 'ERR_REVOKED')).toBe(true)
    await flushPromises()
    expect(session.getSnapshot().status).toBe('signedOut')
    const before = counter.calls
    await t.clock.advance(30 * 60_000)
    expect(counter.calls - before).toBeLessThanOrEqual(1)
    expect(session.getSnapshot().status).toBe('signedOut')
    expect(await session.getToken().catch((e) => e.code)).toBe('ERR_SIGNED_OUT')
    session.dispose()
  })

  it('a user switch: new userId, the old token never handed out again', async () => {
    const { double, session, token } = await signedIn()
    expect(session.getSnapshot().userId).toBe('user_alice')
    await double.signIn('bob')
    for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(token)
    expect(session.getSnapshot().userId).toBe('user_bob')
    session.dispose()
  })
})
