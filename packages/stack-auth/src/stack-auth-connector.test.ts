import { createSession } from '@keyway/core'
import { createTestPlatform, fetchOptions, waitFor } from '@keyway/core/testing'
import { runErrorMapping } from '@keyway/core/testing/vitest'
import { StackClientApp } from '@stackframe/js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runProviderSuites } from '../../../test/support/provider-suites.js'
import { PROJECT_ID, startStackAuthDouble } from '../test/stack-auth-double.js'
import { stackAuthConnector } from './stack-auth-connector.js'
import { toKeywayStackAuthError } from './stack-auth-errors.js'

// No Stack Auth runs here: the REAL @stackframe/js client app (in Node, token store 'memory')
// talks to a local DOUBLE of Stack Auth's API (test/stack-auth-double.ts). One double serves
// the file: the SDK reads the API's URL list once per process (its fallback URLs, which
// hosted Stack Auth has too), and then fails over in seconds instead of retrying for ~20 s.

let double: Awaited<ReturnType<typeof startStackAuthDouble>>

/**
 * The fallback URLs the SDK fetched in the background, once it has them: it keeps them in a
 * process global (@stackframe/js `fetchBackendUrlsInBackground`, stack-shared `createGlobal`).
 */
const fetchedBackendUrls = () =>
  (globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>)[
    Symbol.for('__hexclave-globals')
  ]?.['__stack-fetched-backend-urls']
beforeAll(async () => {
  double = await startStackAuthDouble()
  // No baseUrl option: the SDK's default path, which asks the API for its fallback URLs.
  process.env.STACK_API_URL = double.api.origin
  await device().signInAs('warm-up')
  // Until the SDK holds the list, an outage costs its ~20 s of retries: wait for the list
  // itself, not a fixed time after the double answered.
  await waitFor(() => fetchedBackendUrls() !== undefined)
})
afterAll(async () => {
  delete process.env.STACK_API_URL
  await double.api.close()
})

function device() {
  const app = new StackClientApp({
    projectId: PROJECT_ID,
    publishableClientKey: 'pck_keyway_double',
    tokenStore: 'memory',
    redirectMethod: 'none',
  })
  let user = ''
  return {
    app,
    connector: stackAuthConnector(app),
    async signInAs(name: string) {
      user = name
      const email = `${name}@keyway.test`
      const result = await app.signInWithCredential({
        email,
        password: `${name}-password`,
        noRedirect: true,
      })
      if (result.status === 'error') throw result.error
      return double.userIdOf(name)
    },
    signOut: () => app.signOut(),
    revoke: async () => double.revokeUser(user),
  }
}

runProviderSuites({
  name: 'stack-auth (@stackframe/js against a Stack Auth API double)',
  device: async () => device(),
  outage: (down) => double.api.mode(down ? 'down' : 'ok'),
  providerCalls: () => double.stats.refreshes,
  claims: () => ({ aud: PROJECT_ID, iss: `${double.api.origin}/api/v1/projects/${PROJECT_ID}` }),
})

describe('stackAuthConnector (Stack Auth API double)', () => {
  it('after a failed refresh the SDK never refreshes that session again: transient errors, never a sign-out; keyway keeps its token', async () => {
    const { connector, signInAs } = device()
    await signInAs('alice')
    const t = createTestPlatform({ startWall: Date.now() })
    const session = createSession({ connector, platform: t.platform })
    const token = await session.getToken()
    double.api.mode(503)
    const during = await session.refresh().catch((e: unknown) => e)
    expect(during).toMatchObject({ code: 'ERR_PROVIDER', transient: true })
    double.api.mode('ok')
    // Known SDK behaviour (stack-shared sessions.js, _refreshAndSetRefreshPromise): the
    // rejected refresh promise is kept, so every later refresh of this session answers it.
    const calls = double.stats.refreshes
    const after = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true }))
      .catch((e: unknown) => e)
    expect(after).toMatchObject({ code: 'ERR_PROVIDER', transient: true })
    expect(double.stats.refreshes).toBe(calls)
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).toBe(token)
    session.dispose()
  })

  it('signed out in this app: null at once, and no token request', async () => {
    const { connector, signInAs, signOut } = device()
    await signInAs('bob')
    await connector.fetchCredentials(fetchOptions())
    await signOut()
    const calls = double.stats.refreshes
    expect(await connector.fetchCredentials(fetchOptions({ forceRefresh: true }))).toBeNull()
    expect(double.stats.refreshes).toBe(calls)
  })
})

/** The SDK's own wrapping: RetryError (an AggregateError) with the last try in `cause`. */
const retried = (last: unknown) =>
  Object.assign(new AggregateError([last], 'Error after 1 attempts.', { cause: last }), {
    name: 'RetryError',
  })
const response = (status: number, headers?: Record<string, string>) =>
  new Error(`Failed to send refresh token request: ${status}`, {
    cause: new Response('', { status, headers }),
  })
const knownError = (statusCode: number, code: string) =>
  Object.assign(new Error(code), {
    statusCode,
    errorCode: code,
    __stackKnownErrorBrand: 'stack-known-error-brand-sentinel',
  })

runErrorMapping({
  name: 'toKeywayStackAuthError (what @stackframe/js rejects with)',
  map: toKeywayStackAuthError,
  failures: {
    network: [
      retried(new TypeError('fetch failed')),
      new Error('You are offline.', { cause: retried(new TypeError('fetch failed')) }),
      new Error('Stack Auth is unable to connect to the server.', {
        cause: retried(new TypeError('fetch failed')),
      }),
    ],
    timeout: [],
    serverError: [retried(response(503)), retried(response(500)), knownError(500, 'INTERNAL')],
    rateLimited: [retried(response(429))],
    rateLimitedFor7s: [retried(response(429, { 'retry-after': '7' }))],
    // A refused refresh token is no error: the SDK answers null (signed out).
    revoked: [],
    setup: [response(400), knownError(401, 'INVALID_PUBLISHABLE_CLIENT_KEY')],
  },
})
