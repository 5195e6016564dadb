// @vitest-environment happy-dom
import { Auth0Client, GenericError } from '@auth0/auth0-spa-js'
import { decodeJwt, isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import { runConnectorConformance, runSessionSurvival } from '@keyway/core/testing/vitest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectLogs } from '../../../test/support/expected-logs.js'
import { type OidcServer, startOidcServer, survivalSubject } from '../../oidc/test/oidc-server.js'
import { auth0Connector } from './auth0-connector.js'
import { toKeywayAuth0Error } from './auth0-errors.js'

// happy-dom logs every request that fails: the tests hold the server down and revoke grants.
expectLogs('error', /^Error: socket hang up \(ECONNRESET\)$/, /^POST \S+\/oauth\/token 400 \(/)

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
  return {
    auth0,
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
    },
  }
}

runConnectorConformance({
  name: 'auth0 (real auth0-spa-js against oidc-provider on Auth0 paths)',
  async setup() {
    const c = client()
    let current = ''
    return {
      connector: auth0Connector(c.auth0),
      controls: {
        signIn: async (user) => {
          current = c.userId(user)
          await c.signIn(user)
        },
        signOut: () => c.auth0.logout({ openUrl: false }),
        outage: async (down) => server.outage(down),
        revoke: () => server.revoke(current),
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

describe('toKeywayAuth0Error', () => {
  const table: Array<[string, unknown, string, boolean]> = [
    [
      'invalid_grant',
      new GenericError('invalid_grant', 'Unknown or invalid refresh token.'),
      'ERR_REVOKED',
      false,
    ],
    [
      'missing_refresh_token',
      new GenericError('missing_refresh_token', 'Missing Refresh Token'),
      'ERR_REVOKED',
      false,
    ],
    ['invalid_client', new GenericError('invalid_client', 'Unknown client'), 'ERR_PROVIDER', false],
    [
      'mfa_required',
      new GenericError('mfa_required', 'Multifactor authentication required'),
      'ERR_PROVIDER',
      false,
    ],
    [
      'too_many_requests',
      new GenericError('too_many_requests', 'Rate limited'),
      'ERR_PROVIDER',
      true,
    ],
    ['timeout', new GenericError('timeout', 'Timeout'), 'ERR_TIMEOUT', true],
    ['fetch timeout', new Error("Timeout when executing 'fetch'"), 'ERR_TIMEOUT', true],
    ['fetch TypeError', new TypeError('Failed to fetch'), 'ERR_NETWORK', true],
    ['DOM NetworkError', new DOMException('socket hang up', 'NetworkError'), 'ERR_NETWORK', true],
  ]
  it.each(table)('%s → %s', (_name, error, code, transient) => {
    const mapped = toKeywayAuth0Error(error)
    expect(mapped.code).toBe(code)
    expect(mapped.transient).toBe(transient)
    expect(mapped.cause).toBe(error)
  })
})

runSessionSurvival(
  survivalSubject(
    () => server,
    'auth0-spa-js against oidc-provider on Auth0 paths',
    client,
    (c) => auth0Connector(c.auth0),
  ),
)
