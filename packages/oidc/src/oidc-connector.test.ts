import { createSession, decodeJwt, isKeywayError } from '@keyway/core'
import { createTestPlatform, fetchOptions } from '@keyway/core/testing'
import {
  runConnectorConformance,
  runErrorMapping,
  runSessionSurvival,
} from '@keyway/core/testing/vitest'
import {
  ErrorResponse,
  ErrorTimeout,
  type INavigator,
  InMemoryWebStorage,
  UserManager,
  WebStorageStateStore,
} from 'oidc-client-ts'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type OidcServer, startOidcServer, survivalSubject } from '../test/oidc-server.js'
import { oidcConnector } from './oidc-connector.js'
import { toKeywayOidcError } from './oidc-errors.js'

// The real oidc-client-ts UserManager against a REAL oidc-provider server on 127.0.0.1.
let server: OidcServer
beforeAll(async () => {
  server = await startOidcServer()
})
afterAll(() => server.close())
afterEach(() => server.outage(false))

let runs = 0
/** A UserManager whose "popup" signs in headlessly through the provider's real redirects. */
function client(store = new InMemoryWebStorage()) {
  const run = ++runs
  let who = ''
  const headless: INavigator = {
    prepare: async () => ({
      navigate: async ({ url }) => ({ url: await server.login(url, who) }),
      close() {},
    }),
    callback: async () => {},
  }
  const userManager = new UserManager(
    {
      authority: server.issuer,
      client_id: server.clientId,
      redirect_uri: server.redirectUri,
      scope: 'openid api:read',
      automaticSilentRenew: false,
      userStore: new WebStorageStateStore({ store }),
      stateStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    },
    undefined,
    headless,
  )
  return {
    userManager,
    store,
    /** The provider-side user id of `name` in this run. */
    userId: (name: string) => `${name}-${run}`,
    async signIn(name: string) {
      who = `${name}-${run}`
      await userManager.signinPopup()
    },
  }
}

runConnectorConformance({
  name: 'oidc (real oidc-client-ts against a real oidc-provider)',
  async setup() {
    const c = client()
    let current = ''
    return {
      connector: oidcConnector(c.userManager),
      // Another tab: a UserManager over the same stored user.
      another: () => oidcConnector(client(c.store).userManager),
      controls: {
        signIn: async (user) => {
          current = c.userId(user)
          await c.signIn(user)
        },
        signOut: () => c.userManager.removeUser(),
        outage: async (down) => server.outage(down),
        revoke: () => server.revoke(current),
        // What automaticSilentRenew would do: during an outage it fails and keeps the user.
        poll: async () => {
          await c.userManager.signinSilent().catch(() => undefined)
        },
      },
    }
  },
})

describe('oidcConnector against a real oidc-provider', () => {
  it('hands out the JWT access token by default (aud = the API), the ID token on request', async () => {
    const c = client()
    await c.signIn('tokens')
    const access = await oidcConnector(c.userManager).fetchCredentials(fetchOptions())
    const id = await oidcConnector(c.userManager, { token: 'id_token' }).fetchCredentials(
      fetchOptions(),
    )
    expect(decodeJwt(access!.token).payload.aud).toBe(server.resource)
    expect(decodeJwt(id!.token).payload.aud).toBe(server.clientId)
    expect(decodeJwt(access!.token).payload.sub).toBe(c.userId('tokens'))
    expect(decodeJwt(id!.token).payload.sub).toBe(c.userId('tokens'))
  })

  it('forceRefresh rotates the refresh token and hands out the ID token of the refresh', async () => {
    const c = client()
    await c.signIn('rotate')
    const before = await c.userManager.getUser()
    const connector = oidcConnector(c.userManager, { token: 'id_token' })
    const first = await connector.fetchCredentials(fetchOptions())
    const forced = await connector.fetchCredentials(
      fetchOptions({ forceRefresh: true, reason: 'manual' }),
    )
    const after = await c.userManager.getUser()
    // ID tokens carry no jti: one minted in the same second as the last may be identical.
    expect(forced!.token).toBe(after!.id_token)
    const exp = (t: string) => decodeJwt(t).payload.exp!
    expect(exp(forced!.token)).toBeGreaterThanOrEqual(exp(first!.token))
    expect(after!.refresh_token).not.toBe(before!.refresh_token)
  })

  it('answers from a session persisted by an earlier UserManager (waits for the restore)', async () => {
    const first = client()
    await first.signIn('restored')
    const reloaded = client(first.store)
    const creds = await oidcConnector(reloaded.userManager).fetchCredentials(fetchOptions())
    expect(decodeJwt(creds!.token).payload.sub).toBe(first.userId('restored'))
  })

  it('waits for `ready` (the redirect callback) before its first answer', async () => {
    const c = client()
    let finish!: () => void
    const ready = new Promise<void>((r) => {
      finish = r
    })
    const connector = oidcConnector(c.userManager, { ready })
    let answered = false
    const pending = connector.fetchCredentials(fetchOptions()).finally(() => {
      answered = true
    })
    await c.signIn('callback')
    expect(answered).toBe(false)
    finish()
    expect(decodeJwt((await pending)!.token).payload.sub).toBe(c.userId('callback'))
  })

  it('a Session renews a stored token restored near its expiry (the SDK expires_at): the connector keeps no clock', async () => {
    const c = client()
    await c.signIn('stale')
    const stored = (await c.userManager.getUser())!
    const creds = await oidcConnector(c.userManager).fetchCredentials(fetchOptions())
    expect(creds).toEqual({ token: stored.access_token, expiresAt: stored.expires_at! * 1000 })
    const requests = server.state.tokenRequests
    // The page comes back when the stored sign-in has 3 s left by the local clock (the one
    // clock of this process: the SDK's, the provider's and the session's).
    const comeBack = stored.expires_at! * 1000 - 3_000
    vi.useFakeTimers({ toFake: ['Date'], now: comeBack })
    const t = createTestPlatform({ startWall: comeBack })
    const session = createSession({ connector: oidcConnector(c.userManager), platform: t.platform })
    try {
      const token = await session.getToken()
      expect(token).not.toBe(stored.access_token)
      expect(server.state.tokenRequests).toBe(requests + 1)
      expect(session.getSnapshot().expiresAt).toBeGreaterThan(comeBack + 60_000)
    } finally {
      session.dispose()
      vi.useRealTimers()
    }
  })

  it('a disabled account: the refresh gets invalid_grant → final ERR_REVOKED with the cause', async () => {
    const c = client()
    await c.signIn('disabled')
    server.disable(c.userId('disabled'))
    const error = await oidcConnector(c.userManager)
      .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_REVOKED')).toBe(true)
    expect(error.transient).toBe(false)
    expect(error.cause).toMatchObject({ name: 'ErrorResponse', error: 'invalid_grant' })
  })

  it('an outage is a transient ERR_NETWORK with the fetch TypeError as cause', async () => {
    const c = client()
    await c.signIn('down')
    server.outage(true)
    const error = await oidcConnector(c.userManager)
      .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_NETWORK')).toBe(true)
    expect(error.transient).toBe(true)
    expect(error.cause).toBeInstanceOf(TypeError)
  })

  it('signOut removes the user and answers null afterwards', async () => {
    const c = client()
    await c.signIn('leaving')
    const connector = oidcConnector(c.userManager)
    await connector.signOut()
    expect(await c.userManager.getUser()).toBeNull()
    expect(await connector.fetchCredentials(fetchOptions())).toBeNull()
  })
})

runErrorMapping({
  name: 'toKeywayOidcError (oidc-client-ts error classes)',
  map: toKeywayOidcError,
  failures: {
    network: [new TypeError('fetch failed'), new DOMException('socket hang up', 'NetworkError')],
    timeout: [new ErrorTimeout('Network timed out')],
    // oidc-client-ts: a JSON error body is an ErrorResponse; without one, `<statusText> (<status>)`.
    serverError: [
      new ErrorResponse({ error: 'server_error' }),
      new ErrorResponse({ error: 'temporarily_unavailable' }),
      new Error('Bad Gateway (502)'),
    ],
    rateLimited: [new ErrorResponse({ error: 'slow_down' }), new Error('Too Many Requests (429)')],
    rateLimitedFor7s: [], // oidc-client-ts drops the response headers
    revoked: [
      new ErrorResponse({ error: 'invalid_grant' }),
      new ErrorResponse({ error: 'login_required' }),
    ],
    setup: [
      new ErrorResponse({ error: 'invalid_client' }),
      new ErrorResponse({ error: 'invalid_scope' }),
    ],
  },
})

runSessionSurvival(
  survivalSubject(
    () => server,
    'oidc-client-ts against a real oidc-provider',
    client,
    (c) => oidcConnector(c.userManager),
  ),
)
