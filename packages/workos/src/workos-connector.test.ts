// @vitest-environment happy-dom
import { type Connector, createSession, decodeJwt, isKeywayError } from '@keyway/core'
import { createTestPlatform, fetchOptions, flushPromises } from '@keyway/core/testing'
import { runConnectorConformance, runErrorMapping } from '@keyway/core/testing/vitest'
import { createClient, RefreshError, RefreshTimeoutError } from '@workos-inc/authkit-js'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectLogs } from '../../../test/support/expected-logs.js'
import { installWebLocks } from '../test/web-locks.js'
import { startWorkOSApiDouble } from '../test/workos-api-double.js'
import { type AuthKitClient, authkitUserEvents, workosConnector } from './workos-connector.js'
import { toKeywayWorkOSError } from './workos-errors.js'

// authkit-js console.debug()s every refresh that fails; these tests make refreshes fail on
// purpose (revoked sessions, reused refresh tokens, 503s, outages).
expectLogs('debug', /^RefreshError: /, /^NetworkError: Failed to execute "fetch\(\)"/)
// happy-dom logs each of those failed requests too.
expectLogs(
  'error',
  /^Error: socket hang up \(ECONNRESET\)$/,
  /^POST \S+\/user_management\/authenticate (400|503|520) \(/,
)

// The REAL authkit-js client (in happy-dom: it needs window, localStorage and Web Locks)
// against a local HTTP DOUBLE of the WorkOS API (test/workos-api-double.ts).
let api: Awaited<ReturnType<typeof startWorkOSApiDouble>>
beforeAll(async () => {
  installWebLocks()
  api = await startWorkOSApiDouble()
})
afterAll(() => api.close())

const live: AuthKitClient[] = []
type Connected = { client: AuthKitClient; connector: ReturnType<typeof workosConnector> }
/** What an app does: create the AuthKit client with the user events, then the connector. */
async function connect(): Promise<Connected> {
  const events = authkitUserEvents()
  const client = await createClient(api.clientId, {
    apiHostname: '127.0.0.1',
    port: api.port,
    https: false,
    // devMode keeps the refresh token in localStorage (no third-party cookie on 127.0.0.1).
    devMode: true,
    redirectUri: 'http://localhost:3000/callback',
    ...events,
  })
  live.push(client)
  return { client, connector: workosConnector(client, { events }) }
}
async function cleanUp() {
  api.outage('ok')
  // authkit-js keeps the access token in one module-wide store: dispose before the next client.
  for (const c of live.splice(0)) c.dispose()
  localStorage.clear()
  sessionStorage.clear()
}
afterEach(cleanUp)

const REFRESH_TOKEN_KEY = () => `workos:refresh-token:${api.clientId}`

/**
 * Signs `user` in the way authkit-js finds a session: the refresh token a sign-in stored
 * (devMode: in localStorage, shared by the origin's tabs), then a refresh.
 */
async function signIn(client: AuthKitClient, user: string) {
  localStorage.setItem(REFRESH_TOKEN_KEY(), api.signIn(user))
  await client.getAccessToken({ forceRefresh: true })
}

let run = 0
runConnectorConformance({
  name: 'workos (real authkit-js against a local double of the WorkOS API)',
  async setup() {
    await cleanUp()
    const { client, connector } = await connect()
    const id = ++run
    return {
      connector,
      controls: {
        signIn: (user) => signIn(client, `${user}${id}`),
        signOut: () => connector.signOut(),
        outage: async (down) => api.outage(down ? 'down' : 'ok'),
        revoke: async () => {
          api.revokeUser(client.getUser()!.id.replace(/^user_/, ''))
        },
        // AuthKit's own refresh loop: during an outage it fails (transient) and keeps the user.
        poll: async () => {
          await client.getAccessToken({ forceRefresh: true }).catch(() => undefined)
        },
      },
    }
  },
})

describe('workosConnector: real authkit-js against a local double of the WorkOS API', () => {
  it('over a client that restored a stored session: the restored user at once', async () => {
    localStorage.setItem(REFRESH_TOKEN_KEY(), api.signIn('restored'))
    const { connector } = await connect()
    const creds = await connector.fetchCredentials(fetchOptions())
    expect(decodeJwt(creds!.token).payload.sub).toBe('user_restored')
  })

  it('signs in through the real redirect callback (PKCE code exchange)', async () => {
    const { client: first } = await connect()
    const url = new URL(await first.getSignInUrl())
    const code = api.issueCode('redirected', url.searchParams.get('code_challenge')!)
    history.replaceState(null, '', `/callback?code=${code}`)
    const { connector } = await connect() // the page load after the redirect back
    const creds = await connector.fetchCredentials(fetchOptions())
    expect(decodeJwt(creds!.token).payload.sub).toBe('user_redirected')
    expect(location.search).toBe('')
  })

  it('hands out tokens a backend verifies against the JWKS: iss, sub user_…, sid, exp', async () => {
    const { client, connector } = await connect()
    await signIn(client, 'verified')
    const creds = await connector.fetchCredentials(fetchOptions())
    const { payload } = await jwtVerify(creds!.token, createLocalJWKSet(api.jwks), {
      issuer: `${api.origin}/user_management/${api.clientId}`,
    })
    expect(payload.sub).toBe('user_verified')
    expect(payload.sid).toMatch(/^session_/)
    expect(payload.exp! - payload.iat!).toBe(300)
  })

  it("serves AuthKit's token without a request unless forced", async () => {
    const { client, connector } = await connect()
    await signIn(client, 'cached')
    const before = api.state.refreshes
    const a = await connector.fetchCredentials(fetchOptions())
    const b = await connector.fetchCredentials(fetchOptions())
    expect(b!.token).toBe(a!.token)
    expect(api.state.refreshes).toBe(before)
    const forced = await connector.fetchCredentials(
      fetchOptions({ forceRefresh: true, reason: 'manual' }),
    )
    expect(forced!.token).not.toBe(a!.token)
    expect(api.state.refreshes).toBe(before + 1)
  })

  it('a 503 from WorkOS is transient (ERR_PROVIDER) with the RefreshError in cause', async () => {
    const { client, connector } = await connect()
    await signIn(client, 'unavailable')
    api.outage('unavailable')
    const error = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect(error.transient).toBe(true)
    expect(error.cause).toMatchObject({ name: 'RefreshError', status: 503, isTransient: true })
  })

  it('with nobody signed in, a forced fetch answers null without a request', async () => {
    const { connector } = await connect()
    expect(await connector.fetchCredentials(fetchOptions())).toBeNull()
    const before = api.state.requests
    expect(
      await connector.fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' })),
    ).toBeNull()
    expect(api.state.requests).toBe(before)
  })

  it('signOut ends the session at WorkOS: the old refresh token is dead', async () => {
    const { client, connector } = await connect()
    await signIn(client, 'leaving')
    const refreshToken = localStorage.getItem(REFRESH_TOKEN_KEY())!
    await connector.signOut()
    expect(await connector.fetchCredentials(fetchOptions())).toBeNull()
    const replay = await fetch(`${api.origin}/user_management/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: api.clientId,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
    })
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ error_description: 'Session has already ended.' })
  })
})

const refreshError = (status: number, error?: string) =>
  new RefreshError(error ?? `HTTP ${status}`, {
    status,
    error,
    isTransient: status === 408 || status === 429 || status >= 500,
  })
runErrorMapping({
  name: 'toKeywayWorkOSError (real authkit-js error classes)',
  map: toKeywayWorkOSError,
  failures: {
    network: [new TypeError('Failed to fetch')],
    timeout: [new RefreshTimeoutError()],
    serverError: [refreshError(502), refreshError(503)],
    rateLimited: [refreshError(429)],
    rateLimitedFor7s: [], // RefreshError carries no Retry-After
    revoked: [refreshError(400, 'invalid_grant')],
    setup: [refreshError(400, 'invalid_client'), refreshError(401, 'unauthorized_client')],
  },
})

describe('a Session on workosConnector survives (local double of the WorkOS API)', () => {
  function counted(connector: Connector) {
    const counter = { calls: 0 }
    const wrapped: Connector = {
      ...connector,
      fetchCredentials(o) {
        counter.calls++
        return connector.fetchCredentials(o)
      },
    }
    return { counter, wrapped }
  }

  async function signedIn(user: string) {
    const { client, connector } = await connect()
    await signIn(client, user)
    const t = createTestPlatform({ startWall: Date.now() })
    const { counter, wrapped } = counted(connector)
    const session = createSession({ connector: wrapped, platform: t.platform })
    const token = await session.getToken()
    return { t, client, session, counter, token }
  }

  it('an outage (sockets destroyed): token kept, status unchanged', async () => {
    const { session, token } = await signedIn('outage')
    api.outage('down')
    const error = await session.refresh().catch((e) => e)
    expect(isKeywayError(error, 'ERR_NETWORK')).toBe(true)
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).toBe(token)
    session.dispose()
  })

  it('a 520 (Cloudflare) from the refresh: authkit-js deletes the session (known SDK behaviour), and keyway follows it to signedOut', async () => {
    const { session } = await signedIn('cloudflare')
    api.outage('origin-error')
    const outcome = await session.refresh().catch((e) => e)
    // authkit-js 0.20.3 counts only 408, 429, 500, 502-504 as transient: a 520 is final for it.
    expect(outcome).toBeNull()
    expect(localStorage.getItem(REFRESH_TOKEN_KEY())).toBeNull()
    await flushPromises()
    expect(session.getSnapshot().status).toBe('signedOut')
    session.dispose()
  })

  it('a revoked account: signedOut, and the fetch count stops growing', async () => {
    const { t, session, counter } = await signedIn('revoked')
    api.revokeUser('revoked')
    const outcome = await session.refresh().catch((e) => e)
    // authkit-js turns the dead refresh token into LoginRequiredError: the answer is null.
    expect(outcome).toBeNull()
    await flushPromises()
    expect(session.getSnapshot().status).toBe('signedOut')
    const calls = counter.calls
    const refreshes = api.state.refreshes
    await t.clock.advance(30 * 60_000)
    expect(counter.calls - calls).toBeLessThanOrEqual(1)
    expect(api.state.refreshes).toBe(refreshes)
    expect(session.getSnapshot().status).toBe('signedOut')
    session.dispose()
  })

  it('a user switch (another tab signed in as someone else): new userId, old token gone', async () => {
    const { client, session, token } = await signedIn('first')
    expect(session.getSnapshot().userId).toBe('user_first')
    await signIn(client, 'second')
    for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(token)
    expect(session.getSnapshot().userId).toBe('user_second')
    session.dispose()
  })
})
