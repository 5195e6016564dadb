// @vitest-environment happy-dom
import { type Connector, createSession, decodeJwt, isKeywayError } from '@keyway/core'
import { createTestPlatform, fetchOptions, flushPromises } from '@keyway/core/testing'
import { runConnectorConformance } from '@keyway/core/testing/vitest'
import { RefreshError, RefreshTimeoutError } from '@workos-inc/authkit-js'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectLogs } from '../../../test/support/expected-logs.js'
import { installWebLocks } from '../test/web-locks.js'
import { startWorkOSApiDouble } from '../test/workos-api-double.js'
import { type WorkOSConnector, workosConnector } from './workos-connector.js'
import { toKeywayWorkOSError } from './workos-errors.js'

// authkit-js console.debug()s every refresh that fails; these tests make refreshes fail on
// purpose (revoked sessions, reused refresh tokens, 503s, outages).
expectLogs('debug', /^RefreshError: /, /^NetworkError: Failed to execute "fetch\(\)"/)
// happy-dom logs each of those failed requests too.
expectLogs(
  'error',
  /^Error: socket hang up \(ECONNRESET\)$/,
  /^POST \S+\/user_management\/authenticate (400|503) \(/,
)

// The REAL authkit-js client (in happy-dom: it needs window, localStorage and Web Locks)
// against a local HTTP DOUBLE of the WorkOS API (test/workos-api-double.ts).
let api: Awaited<ReturnType<typeof startWorkOSApiDouble>>
beforeAll(async () => {
  installWebLocks()
  api = await startWorkOSApiDouble()
})
afterAll(() => api.close())

const live: WorkOSConnector[] = []
function connect(): WorkOSConnector {
  const connector = workosConnector(api.clientId, {
    apiHostname: '127.0.0.1',
    port: api.port,
    https: false,
    // devMode keeps the refresh token in localStorage (no third-party cookie on 127.0.0.1).
    devMode: true,
    redirectUri: 'http://localhost:3000/callback',
  })
  live.push(connector)
  return connector
}
async function cleanUp() {
  api.outage('ok')
  // authkit-js keeps the access token in one module-wide store: dispose before the next client.
  for (const c of live.splice(0)) (await c.client).dispose()
  localStorage.clear()
  sessionStorage.clear()
}
afterEach(cleanUp)

const REFRESH_TOKEN_KEY = () => `workos:refresh-token:${api.clientId}`

/**
 * Signs `user` in the way authkit-js finds a session: the refresh token a sign-in stored
 * (devMode: in localStorage, shared by the origin's tabs), then a refresh.
 */
async function signIn(connector: WorkOSConnector, user: string) {
  localStorage.setItem(REFRESH_TOKEN_KEY(), api.signIn(user))
  await (await connector.client).getAccessToken({ forceRefresh: true })
}

let run = 0
runConnectorConformance({
  name: 'workos (real authkit-js against a local double of the WorkOS API)',
  async setup() {
    await cleanUp()
    const connector = connect()
    const id = ++run
    return {
      connector,
      controls: {
        signIn: (user) => signIn(connector, `${user}${id}`),
        signOut: () => connector.signOut(),
        outage: async (down) => api.outage(down ? 'down' : 'ok'),
        revoke: async () => {
          api.revokeUser((await connector.client).getUser()!.id.replace(/^user_/, ''))
        },
      },
    }
  },
})

describe('workosConnector: real authkit-js against a local double of the WorkOS API', () => {
  it('waits for AuthKit to restore a stored session: no false signed-out at start-up', async () => {
    localStorage.setItem(REFRESH_TOKEN_KEY(), api.signIn('restored'))
    const release = api.hold()
    const connector = connect()
    let settled = false
    const pending = connector.fetchCredentials(fetchOptions()).finally(() => {
      settled = true
    })
    for (let i = 0; i < 5; i++) await flushPromises()
    expect(settled).toBe(false)
    release()
    const creds = await pending
    expect(decodeJwt(creds!.token).payload.sub).toBe('user_restored')
  })

  it('signs in through the real redirect callback (PKCE code exchange)', async () => {
    const first = connect()
    const url = new URL(await (await first.client).getSignInUrl())
    const code = api.issueCode('redirected', url.searchParams.get('code_challenge')!)
    history.replaceState(null, '', `/callback?code=${code}`)
    const connector = connect() // the page load after the redirect back
    const creds = await connector.fetchCredentials(fetchOptions())
    expect(decodeJwt(creds!.token).payload.sub).toBe('user_redirected')
    expect(location.search).toBe('')
  })

  it('hands out tokens a backend verifies against the JWKS: iss, sub user_…, sid, exp', async () => {
    const connector = connect()
    await signIn(connector, 'verified')
    const creds = await connector.fetchCredentials(fetchOptions())
    const { payload } = await jwtVerify(creds!.token, createLocalJWKSet(api.jwks), {
      issuer: `${api.origin}/user_management/${api.clientId}`,
    })
    expect(payload.sub).toBe('user_verified')
    expect(payload.sid).toMatch(/^session_/)
    expect(payload.exp! - payload.iat!).toBe(300)
  })

  it("serves AuthKit's token without a request unless forced", async () => {
    const connector = connect()
    await signIn(connector, 'cached')
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
    const connector = connect()
    await signIn(connector, 'unavailable')
    api.outage('unavailable')
    const error = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect(error.transient).toBe(true)
    expect(error.cause).toMatchObject({ name: 'RefreshError', status: 503, isTransient: true })
  })

  it('with nobody signed in, a forced fetch answers null without a request', async () => {
    const connector = connect()
    expect(await connector.fetchCredentials(fetchOptions())).toBeNull()
    const before = api.state.requests
    expect(
      await connector.fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' })),
    ).toBeNull()
    expect(api.state.requests).toBe(before)
  })

  it('signOut ends the session at WorkOS: the old refresh token is dead', async () => {
    const connector = connect()
    await signIn(connector, 'leaving')
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

describe('toKeywayWorkOSError (real authkit-js error classes)', () => {
  it.each([
    [new RefreshTimeoutError(), 'ERR_TIMEOUT', true],
    [new RefreshError('rate', { status: 429, isTransient: true }), 'ERR_RATE_LIMITED', true],
    [new RefreshError('down', { status: 502, isTransient: true }), 'ERR_PROVIDER', true],
    [new RefreshError('gone', { status: 400, error: 'invalid_grant' }), 'ERR_REVOKED', false],
    [new TypeError('Failed to fetch'), 'ERR_NETWORK', true],
    [new Error('other'), 'ERR_PROVIDER', true],
  ] as const)('%s → %s (transient %s), original in cause', (error, code, transient) => {
    const mapped = toKeywayWorkOSError(error)
    expect(mapped.code).toBe(code)
    expect(mapped.transient).toBe(transient)
    expect(mapped.cause).toBe(error)
  })
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
    const connector = connect()
    await signIn(connector, user)
    const t = createTestPlatform({ startWall: Date.now() })
    const { counter, wrapped } = counted(connector)
    const session = createSession({ connector: wrapped, platform: t.platform })
    const token = await session.getToken()
    return { t, connector, session, counter, token }
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
    const { connector, session, token } = await signedIn('first')
    expect(session.getSnapshot().userId).toBe('user_first')
    await signIn(connector, 'second')
    for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(token)
    expect(session.getSnapshot().userId).toBe('user_second')
    session.dispose()
  })
})
