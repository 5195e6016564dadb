// @vitest-environment happy-dom
import { Auth0Client, GenericError } from '@auth0/auth0-spa-js'
import { decodeJwt, isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import {
  runConnectorConformance,
  runErrorMapping,
  runSessionSurvival,
} from '@keyway/core/testing/vitest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectLogs } from '../../../test/support/expected-logs.js'
import { type OidcServer, startOidcServer, survivalSubject } from '../../oidc/test/oidc-server.js'
import {
  type Auth0Connector,
  type Auth0ConnectorOptions,
  auth0Connector,
} from './auth0-connector.js'
import { toKeywayAuth0Error } from './auth0-errors.js'

// happy-dom logs every request that fails: the tests hold the server down and revoke grants.
expectLogs(
  'error',
  /^Error: socket hang up \(ECONNRESET\)$/,
  /^POST \S+\/oauth\/token 400 \(/,
  // happy-dom loading the SDK's restore iframe while the server is down.
  /^NetworkError: Failed to execute "fetch\(\)" on "Window" with URL "\S+\/authorize\?/,
)

// The REAL auth0-spa-js client (in happy-dom) against a real oidc-provider server that serves
// Auth0's endpoint paths (/authorize, /oauth/token, /v2/logout, /.well-known/jwks.json) and an
// issuer with Auth0's trailing slash. auth0-spa-js accepts `domain` with a scheme, so it talks
// to http://127.0.0.1:<port> directly. Not Auth0 itself: Auth0's cloud cannot run here.
let server: OidcServer
beforeAll(async () => {
  server = await startOidcServer({
    clientId: 'keyway-auth0-spa',
    redirectUri: `${location.origin}/callback`,
    issuerTrailingSlash: true,
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      end_session: '/v2/logout',
      revocation: '/oauth/revoke',
      jwks: '/.well-known/jwks.json',
      userinfo: '/userinfo',
    },
  })
})
afterAll(() => server.close())
afterEach(() => server.outage(false))

let runs = 0
function client(cacheLocation: 'memory' | 'localstorage' = 'memory') {
  const run = ++runs
  const auth0 = new Auth0Client({
    domain: server.url,
    clientId: server.clientId,
    useRefreshTokens: true,
    cacheLocation,
    authorizationParams: {
      redirect_uri: server.redirectUri,
      audience: server.resource,
      // The provider keeps `offline_access` only with a consent prompt.
      prompt: 'consent',
    },
  })
  const c = {
    auth0,
    /** The connector the app made over this client, once it has one. */
    connector: undefined as Auth0Connector | undefined,
    userId: (name: string) => `${name}-${run}`,
    /** The SDK's own redirect login, with the provider's pages driven headlessly. */
    async signIn(name: string) {
      let callback = ''
      await auth0.loginWithRedirect({
        openUrl: async (url) => {
          callback = await server.login(url, `${name}-${run}`)
        },
      })
      await auth0.handleRedirectCallback(callback)
      // What the app does after handleRedirectCallback: auth0-spa-js has no event for it.
      await c.connector?.userChanged()
    },
    async logout() {
      await auth0.logout({ openUrl: false })
      await c.connector?.userChanged()
    },
  }
  return c
}
/** The app's connector over a client: made once, told of the client's user changes. */
function connectorOf(c: ReturnType<typeof client>, options?: Auth0ConnectorOptions) {
  c.connector = auth0Connector(c.auth0, options)
  return c.connector
}

runConnectorConformance({
  name: 'auth0 (real auth0-spa-js against oidc-provider on Auth0 paths)',
  async setup() {
    const c = client()
    let current = ''
    return {
      connector: connectorOf(c),
      controls: {
        signIn: async (user) => {
          current = c.userId(user)
          await c.signIn(user)
        },
        signOut: () => c.logout(),
        outage: async (down) => server.outage(down),
        revoke: () => server.revoke(current),
        // The app re-checks the session (checkSession) and tells the connector, as after a
        // login: during an outage the check fails and the SDK keeps its user.
        poll: async () => {
          await c.auth0.checkSession().catch(() => undefined)
          await c.connector!.userChanged()
        },
      },
    }
  },
})

describe('auth0Connector (auth0-spa-js against oidc-provider on Auth0 paths)', () => {
  it('hands out the access token for the audience by default, the ID token on request', async () => {
    const c = client()
    await c.signIn('tokens')
    const access = await auth0Connector(c.auth0).fetchCredentials(fetchOptions())
    const id = await auth0Connector(c.auth0, { token: 'id_token' }).fetchCredentials(fetchOptions())
    expect(decodeJwt(access!.token).payload.aud).toBe(server.resource)
    expect(decodeJwt(id!.token).payload.aud).toBe(server.clientId)
    expect(decodeJwt(access!.token).payload.iss).toBe(`${server.url}/`)
  })

  it('forceRefresh skips the SDK cache (one refresh_token grant); without it the cache answers', async () => {
    const c = client()
    await c.signIn('cache')
    const connector = auth0Connector(c.auth0)
    const first = await connector.fetchCredentials(fetchOptions())
    const requests = server.state.tokenRequests
    expect((await connector.fetchCredentials(fetchOptions()))!.token).toBe(first!.token)
    expect(server.state.tokenRequests).toBe(requests)
    const forced = await connector.fetchCredentials(
      fetchOptions({ forceRefresh: true, reason: 'manual' }),
    )
    expect(forced!.token).not.toBe(first!.token)
    expect(server.state.tokenRequests).toBe(requests + 1)
  })

  it('a disabled account: invalid_grant → final ERR_REVOKED with the SDK error as cause', async () => {
    const c = client()
    await c.signIn('disabled')
    server.disable(c.userId('disabled'))
    const error = await auth0Connector(c.auth0)
      .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_REVOKED')).toBe(true)
    expect(error.transient).toBe(false)
    expect(error.cause).toMatchObject({ error: 'invalid_grant' })
  })

  it('answers from a session the SDK persisted (localstorage cache) after a reload', async () => {
    const first = client('localstorage')
    await first.signIn('restored')
    const reloaded = client('localstorage')
    const creds = await auth0Connector(reloaded.auth0).fetchCredentials(fetchOptions())
    expect(decodeJwt(creds!.token).payload.sub).toBe(first.userId('restored'))
    await reloaded.auth0.logout({ openUrl: false })
  })

  it('a reload during an outage (iframe restore, memory cache) is a transient error, not signed out: checkSession swallows it', async () => {
    // No refresh tokens: auth0-spa-js restores a session on reload through its hidden iframe.
    const reload = () =>
      new Auth0Client({
        domain: server.url,
        clientId: server.clientId,
        authorizeTimeoutInSeconds: 1,
        authorizationParams: { redirect_uri: server.redirectUri, audience: server.resource },
      })
    const first = reload()
    let callback = ''
    await first.loginWithRedirect({
      openUrl: async (url) => {
        callback = await server.login(url, 'reloaded-in-outage')
      },
    })
    await first.handleRedirectCallback(callback)
    // What the connector does not do: checkSession() answers nothing and the SDK has no user.
    server.outage(true)
    const plain = reload()
    await plain.checkSession()
    expect(await plain.isAuthenticated()).toBe(false)
    const error = await auth0Connector(reload())
      .fetchCredentials(fetchOptions())
      .catch((e: unknown) => e)
    expect(isKeywayError(error)).toBe(true)
    expect((error as { transient: boolean }).transient).toBe(true)
    await first.logout({ openUrl: false })
  })

  it('signOut clears the SDK cache: null afterwards', async () => {
    const c = client()
    await c.signIn('leaving')
    const connector = auth0Connector(c.auth0)
    await connector.signOut()
    expect(await c.auth0.isAuthenticated()).toBe(false)
    expect(await connector.fetchCredentials(fetchOptions())).toBeNull()
  })

  it('answers null for login_required (no error)', async () => {
    const c = client()
    await c.signIn('login')
    c.auth0.getTokenSilently = (() =>
      Promise.reject(new GenericError('login_required', 'Login required'))) as never
    expect(
      await auth0Connector(c.auth0).fetchCredentials(
        fetchOptions({ forceRefresh: true, reason: 'manual' }),
      ),
    ).toBeNull()
  })
})

runErrorMapping({
  name: 'toKeywayAuth0Error (auth0-spa-js GenericError and fetch failures)',
  map: toKeywayAuth0Error,
  failures: {
    network: [new TypeError('Failed to fetch'), new DOMException('socket hang up', 'NetworkError')],
    timeout: [new GenericError('timeout', 'Timeout'), new Error("Timeout when executing 'fetch'")],
    serverError: [new GenericError('server_error', 'Internal error')],
    rateLimited: [new GenericError('too_many_requests', 'Rate limited')],
    rateLimitedFor7s: [], // GenericError carries no Retry-After
    revoked: [
      new GenericError('invalid_grant', 'Unknown or invalid refresh token.'),
      new GenericError('missing_refresh_token', 'Missing Refresh Token'),
    ],
    setup: [
      new GenericError('invalid_client', 'Unknown client'),
      new GenericError('mfa_required', 'Multifactor authentication required'),
    ],
  },
})

runSessionSurvival(
  survivalSubject(
    () => server,
    'auth0-spa-js against oidc-provider on Auth0 paths',
    client,
    (c) => connectorOf(c),
  ),
)
