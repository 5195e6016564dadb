// @vitest-environment happy-dom
import { decodeJwt } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import {
  runConnectorConformance,
  runErrorMapping,
  runSessionSurvival,
} from '@keyway/core/testing/vitest'
import * as keycloakJs from 'keycloak-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runGrantCases } from '../../oidc/test/grant-cases.js'
import { type OidcServer, startOidcServer, survivalSubject } from '../../oidc/test/oidc-server.js'
import { jwtRefreshTokens } from '../test/jwt-refresh-tokens.js'
import { keycloakConnector } from './keycloak-connector.js'
import { toKeywayKeycloakError } from './keycloak-errors.js'

// The REAL keycloak-js adapter (in happy-dom) against a real oidc-provider server on
// Keycloak's paths: issuer <url>/realms/keyway, /realms/keyway/protocol/openid-connect/{auth,
// token,logout,certs,userinfo}, its refresh tokens JWT-shaped as Keycloak's are
// (test/jwt-refresh-tokens.ts). Not Keycloak itself (a Java server: it does not run here).
// Sign-in is keycloak-js's own login() and code exchange (PKCE, nonce), through its in-app
// browser adapter ('cordova'): the test opens the "browser window" headlessly and hands
// keycloak-js the redirect back, so a user can sign in (and switch) without a page load.
// keycloak-js 26 calls Promise.withResolvers (every browser since 2024; Node only from 22).
;(Promise as { withResolvers?: unknown }).withResolvers ??= () => {
  let resolve!: (value: unknown) => void
  let reject!: (reason?: unknown) => void
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
const Keycloak = keycloakJs.default
// keycloak-js exports its NetworkError class at runtime, but not in its .d.ts.
const { NetworkError } = keycloakJs as unknown as {
  NetworkError: new (message: string, options: { response: Response }) => Error
}

const REALM = 'keyway'
const OIDC = `/realms/${REALM}/protocol/openid-connect`
let server: OidcServer
beforeAll(async () => {
  server = await startOidcServer({
    clientId: 'keyway-keycloak-spa',
    redirectUri: 'http://localhost:3000/callback',
    issuerPath: `/realms/${REALM}`,
    routes: {
      authorization: `${OIDC}/auth`,
      token: `${OIDC}/token`,
      end_session: `${OIDC}/logout`,
      revocation: `${OIDC}/revoke`,
      jwks: `${OIDC}/certs`,
      userinfo: `${OIDC}/userinfo`,
    },
    wrapHandler: jwtRefreshTokens,
  })
})
afterAll(() => server.close())
afterEach(() => server.outage(false))

/** Cordova's InAppBrowser, driven headlessly: it "loads" the login page and the redirect back. */
function headlessBrowser(user: () => string) {
  ;(window as unknown as { cordova: unknown }).cordova = {
    InAppBrowser: {
      open(url: string) {
        const target = new EventTarget()
        void server.login(url, user()).then((callback) => {
          target.dispatchEvent(Object.assign(new Event('loadstart'), { url: callback }))
        })
        return Object.assign(target, { close() {} })
      },
    },
  }
}

let runs = 0
function client() {
  const run = ++runs
  let who = ''
  headlessBrowser(() => who)
  const keycloak = new Keycloak({ url: server.url, realm: REALM, clientId: server.clientId })
  const ready = keycloak.init({
    adapter: 'cordova',
    redirectUri: server.redirectUri,
    pkceMethod: 'S256',
  })
  return {
    keycloak,
    ready,
    userId: (name: string) => `${name}-${run}`,
    async signIn(name: string) {
      await ready
      who = `${name}-${run}`
      await keycloak.login()
    },
  }
}

runConnectorConformance({
  name: 'keycloak (real keycloak-js against oidc-provider on Keycloak paths)',
  async setup() {
    const c = client()
    let current = ''
    return {
      connector: keycloakConnector(c.keycloak, { ready: c.ready }),
      controls: {
        signIn: async (user) => {
          current = c.userId(user)
          await c.signIn(user)
        },
        signOut: async () => c.keycloak.clearToken(),
        outage: async (down) => server.outage(down),
        revoke: () => server.revoke(current),
        // What an app's onTokenExpired handler does: during an outage it fails, user kept.
        poll: async () => {
          await c.keycloak.updateToken(-1).catch(() => undefined)
        },
      },
    }
  },
})

describe('keycloakConnector (keycloak-js against oidc-provider on Keycloak paths)', () => {
  it("hands out the access token (iss = the realm), the ID token on request; sub = Keycloak's subject", async () => {
    const c = client()
    await c.signIn('tokens')
    const access = await keycloakConnector(c.keycloak).fetchCredentials(fetchOptions())
    const id = await keycloakConnector(c.keycloak, { token: 'id_token' }).fetchCredentials(
      fetchOptions(),
    )
    expect(decodeJwt(access!.token).payload).toMatchObject({
      iss: `${server.url}/realms/${REALM}`,
      aud: server.resource,
      sub: c.keycloak.subject,
    })
    expect(decodeJwt(id!.token).payload.aud).toBe(server.clientId)
  })

  it('a revoked grant makes keycloak-js sign out: not authenticated afterwards', async () => {
    const c = client()
    await c.signIn('gone')
    await server.revoke(c.userId('gone'))
    await keycloakConnector(c.keycloak)
      .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
      .catch(() => undefined)
    expect(c.keycloak.authenticated).toBe(false)
  })
})

runGrantCases({
  name: 'keycloak-js against oidc-provider on Keycloak paths',
  server: () => server,
  newClient: client,
  connectorOf: (c) => keycloakConnector(c.keycloak),
})

const answered = (status: number, headers: HeadersInit = {}) =>
  new NetworkError('Server responded with an invalid status.', {
    response: new Response('{}', { status, headers }),
  })
runErrorMapping({
  name: 'toKeywayKeycloakError (keycloak-js NetworkError with the Response)',
  map: toKeywayKeycloakError,
  failures: {
    network: [new TypeError('Failed to fetch'), new DOMException('socket hang up', 'NetworkError')],
    timeout: [], // updateToken sets no timeout of its own: the session's 15 s applies
    serverError: [answered(500), answered(502), answered(503)],
    rateLimited: [answered(429)],
    rateLimitedFor7s: [answered(429, { 'retry-after': '7' })],
    revoked: [answered(400)],
    setup: [answered(401), answered(403)],
  },
})

runSessionSurvival(
  survivalSubject(
    () => server,
    'keycloak-js against oidc-provider on Keycloak paths',
    client,
    (c) => keycloakConnector(c.keycloak, { ready: c.ready }),
  ),
)
