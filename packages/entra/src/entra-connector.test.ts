// @vitest-environment happy-dom
// @vitest-environment-options { "settings": { "fetch": { "disableStrictSSL": true } } }
import {
  BrowserAuthError,
  type INavigationClient,
  InteractionRequiredAuthError,
  PublicClientApplication,
  ServerError,
} from '@azure/msal-browser'
import { decodeJwt } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import {
  runConnectorConformance,
  runErrorMapping,
  runSessionSurvival,
} from '@keyway/core/testing/vitest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runGrantCases } from '../../oidc/test/grant-cases.js'
import { type OidcServer, startOidcServer, survivalSubject } from '../../oidc/test/oidc-server.js'
import { selfSignedCertificate } from '../test/self-signed.js'
import { entraConnector } from './entra-connector.js'
import { toKeywayEntraError } from './entra-errors.js'

// The REAL MSAL.js (@azure/msal-browser, in happy-dom) in OIDC protocol mode against a real
// oidc-provider on Entra ID's v2.0 paths (/<tenant>/oauth2/v2.0/{authorize,token}, keys at
// /<tenant>/discovery/v2.0/keys, issuer /<tenant>/v2.0). Not Entra ID itself (Microsoft's cloud
// cannot run here). MSAL gets the authority metadata from the server's discovery document.
// Sign-in is MSAL's own loginRedirect + handleRedirectPromise (PKCE, state, nonce), with the
// app's navigation client (an MSAL option) following the redirect headlessly.
const TENANT = '11111111-2222-3333-4444-555555555555'
const SCOPE = 'api:read'
let server: OidcServer
let authorityMetadata = ''
beforeAll(async () => {
  server = await startOidcServer({
    clientId: 'keyway-entra-spa',
    redirectUri: 'http://localhost:3000/callback',
    // MSAL accepts only an https: authority; the page trusts this loopback certificate.
    tls: selfSignedCertificate(),
    // MSAL renews an access token 5 min before it expires: give it an hour, as Entra ID does.
    accessTokenTTL: 3600,
    // Entra ID names the tenant in `tid`; MSAL files the account and its tokens under it.
    idTokenClaims: { tid: TENANT },
    issuerPath: `/${TENANT}/v2.0`,
    routes: {
      authorization: `/${TENANT}/oauth2/v2.0/authorize`,
      token: `/${TENANT}/oauth2/v2.0/token`,
      end_session: `/${TENANT}/oauth2/v2.0/logout`,
      revocation: `/${TENANT}/oauth2/v2.0/revoke`,
      jwks: `/${TENANT}/discovery/v2.0/keys`,
      userinfo: '/oidc/userinfo',
    },
  })
  authorityMetadata = await (await fetch(`${server.url}/.well-known/openid-configuration`)).text()
})
afterAll(() => server.close())
afterEach(() => server.outage(false))

let runs = 0
let pageLoads = 0
function client() {
  const run = ++runs
  // One page per client: the previous page's MSAL cache is gone.
  sessionStorage.clear()
  let who = ''
  // The app's navigation client: here the "browser" follows the login headlessly and comes
  // back to the redirect URI without a page load.
  const navigationClient: INavigationClient = {
    navigateInternal: async () => false,
    async navigateExternal(url) {
      if (new URL(url).pathname.endsWith('/logout')) return false // MSAL signed out before it left
      const back = await server.login(url, who)
      history.replaceState(null, '', back)
      return false
    },
  }
  const msal = new PublicClientApplication({
    auth: {
      clientId: server.clientId,
      authority: server.issuer,
      knownAuthorities: [new URL(server.url).host],
      authorityMetadata,
      redirectUri: server.redirectUri,
    },
    // MSAL keeps a redirect's request state in session storage (memory cannot redirect).
    cache: { cacheLocation: 'sessionStorage' },
    system: { protocolMode: 'OIDC', navigationClient },
  })
  const ready = msal.initialize().then(() => msal.handleRedirectPromise())
  return {
    msal,
    ready,
    userId: (name: string) => `${name}-${run}`,
    async signIn(name: string) {
      await ready
      who = `${name}-${run}`
      // The provider keeps `offline_access` only with a consent prompt.
      await msal.loginRedirect({ scopes: [SCOPE], prompt: 'consent' })
      // The page "loaded" back with the answer; MSAL keys its redirect results by the hash.
      const result = await msal.handleRedirectPromise({ hash: location.hash })
      msal.setActiveAccount(result!.account)
    },
    async signOut() {
      await msal.logoutRedirect({ account: msal.getActiveAccount() })
      // The page load back from the logout page (a fresh key: MSAL memoizes by hash).
      await msal.handleRedirectPromise({ hash: `#signed-out-${++pageLoads}` })
    },
  }
}

runConnectorConformance({
  name: 'entra (real MSAL.js in OIDC mode against oidc-provider on Entra ID paths)',
  async setup() {
    const c = client()
    let current = ''
    return {
      connector: entraConnector(c.msal, { scopes: [SCOPE], ready: c.ready }),
      controls: {
        signIn: async (user) => {
          current = c.userId(user)
          await c.signIn(user)
        },
        signOut: () => c.signOut(),
        outage: async (down) => server.outage(down),
        revoke: () => server.revoke(current),
        // MSAL renewing on its own (an app's acquireTokenSilent): it fails, the user is kept.
        poll: async () => {
          const account = c.msal.getActiveAccount()!
          await c.msal
            .acquireTokenSilent({
              scopes: [SCOPE],
              account,
              forceRefresh: true,
              cacheLookupPolicy: 3,
            })
            .catch(() => undefined)
        },
      },
    }
  },
})

describe('entraConnector (MSAL.js against oidc-provider on Entra ID paths)', () => {
  it('hands out the access token for the API scope (aud = the API); without scopes, the ID token', async () => {
    const c = client()
    await c.signIn('tokens')
    const access = await entraConnector(c.msal, { scopes: [SCOPE] }).fetchCredentials(
      fetchOptions(),
    )
    const id = await entraConnector(c.msal).fetchCredentials(fetchOptions())
    expect(decodeJwt(access!.token).payload).toMatchObject({
      iss: `${server.url}/${TENANT}/v2.0`,
      aud: server.resource,
      sub: c.userId('tokens'),
    })
    expect(decodeJwt(id!.token).payload.aud).toBe(server.clientId)
  })

  it('a revoked grant is the ServerError invalid_grant, with no hidden-iframe fallback', async () => {
    const c = client()
    await c.signIn('gone')
    await server.revoke(c.userId('gone'))
    const error = await entraConnector(c.msal, { scopes: [SCOPE] })
      .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
      .catch((e) => e)
    expect(error.cause).toMatchObject({ name: 'ServerError', errorCode: 'invalid_grant' })
  })
})

runGrantCases({
  name: 'MSAL.js against oidc-provider on Entra ID paths',
  server: () => server,
  newClient: client,
  connectorOf: (c) => entraConnector(c.msal, { scopes: [SCOPE] }),
})

// msal-common's NetworkError is not exported by msal-browser: an AuthError named so, with the
// `httpStatus` of a response it could not read (none when the request never got an answer).
const networkError = (httpStatus?: number) =>
  Object.assign(new BrowserAuthError('post_request_failed', ''), {
    name: 'NetworkError',
    httpStatus,
  })
const serverError = (code: string, status: number) =>
  new ServerError(code, '', code, '', '', status)
runErrorMapping({
  name: 'toKeywayEntraError (MSAL error classes)',
  map: toKeywayEntraError,
  failures: {
    network: [
      networkError(),
      new BrowserAuthError('post_request_failed', ''),
      new BrowserAuthError('no_network_connectivity', ''),
      new TypeError('Failed to fetch'),
    ],
    timeout: [new BrowserAuthError('timed_out', '')],
    serverError: [
      serverError('server_error', 500),
      serverError('temporarily_unavailable', 503),
      networkError(502),
    ],
    rateLimited: [serverError('too_many_requests', 429)],
    rateLimitedFor7s: [
      Object.assign(networkError(429), { responseHeaders: { 'retry-after': '7' } }),
    ],
    revoked: [
      serverError('invalid_grant', 400),
      new InteractionRequiredAuthError('interaction_required', '', '', 'bad_token'),
    ],
    setup: [serverError('invalid_client', 401), serverError('invalid_scope', 400)],
  },
})

runSessionSurvival(
  survivalSubject(
    () => server,
    'MSAL.js in OIDC mode against oidc-provider on Entra ID paths',
    client,
    (c) => entraConnector(c.msal, { scopes: [SCOPE], ready: c.ready }),
  ),
)
