/**
 * A REAL OpenID Provider (panva/oidc-provider) on 127.0.0.1 with a free port, for tests:
 * authorization code + PKCE for a public client, refresh tokens with rotation (and reuse
 * detection), JWT access tokens through resource indicators. Sign-in is scripted without a
 * browser: `login(authorizeUrl, user)` follows the provider's redirects with a cookie jar and
 * finishes the interaction for `user`, returning the redirect URI with `code` and `state`.
 *
 * `outage(true)` destroys every socket and refuses new requests (what a client sees when the
 * provider is down); `revoke(user)` destroys the user's grants, so their refresh tokens get
 * `invalid_grant`. The Auth0 package reuses it with Auth0's endpoint paths.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Connector } from '@keyway/core'
import type { SurvivalSubject } from '@keyway/core/testing/vitest'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { type Configuration } from 'oidc-provider'

export interface OidcServerOptions {
  clientId?: string
  redirectUri?: string
  /** The API (resource indicator) whose access tokens are JWTs. */
  resource?: string
  /** Access-token lifetime in seconds. */
  accessTokenTTL?: number
  /** Endpoint paths, e.g. Auth0's `/oauth/token`. */
  routes?: Configuration['routes']
  /** Issuer with a trailing slash (`https://tenant.auth0.com/` style). */
  issuerTrailingSlash?: boolean
}

export type OidcServer = Awaited<ReturnType<typeof startOidcServer>>

export async function startOidcServer(options: OidcServerOptions = {}) {
  const clientId = options.clientId ?? 'keyway-spa'
  const redirectUri = options.redirectUri ?? 'http://app.test/callback'
  const resource = options.resource ?? 'https://api.keyway.test'
  const sockets = new Set<Socket>()
  const disabled = new Set<string>()
  const grantsOf = new Map<string, string[]>()
  const state = { down: false, tokenRequests: 0 }
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {}

  const server = createServer((req, res) => {
    if (state.down) return void req.socket.destroy()
    if (req.method === 'POST' && req.url?.includes('token')) state.tokenRequests++
    const finish = /^\/interaction\/([^/?]+)\?login=(.+)$/.exec(req.url ?? '')
    if (finish) return void finishInteraction(req, res, decodeURIComponent(finish[2]!))
    handler(req, res)
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = options.issuerTrailingSlash ? `${url}/` : url

  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'k1' }] },
    cookies: { keys: ['keyway-test-cookie-key'] },
    routes: options.routes ?? {},
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    // Auth0's `audience` parameter names the API; here it picks the resource server.
    extraParams: ['audience'],
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx) => (ctx.oidc.params?.audience as string | undefined) ?? resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: options.accessTokenTTL ?? 300,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: {
      IdToken: options.accessTokenTTL ?? 300,
      AccessToken: options.accessTokenTTL ?? 300,
      RefreshToken: 24 * 3600,
      Grant: 24 * 3600,
      Session: 24 * 3600,
      Interaction: 600,
      AuthorizationCode: 60,
    },
    issueRefreshToken: () => true,
    rotateRefreshToken: () => true,
    clientBasedCORS: () => true,
    findAccount: (_ctx, sub) =>
      disabled.has(sub)
        ? undefined
        : { accountId: sub, claims: () => ({ sub, name: sub, email: `${sub}@keyway.test` }) },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  })
  handler = provider.callback()

  // The test scripts a first-party login: one step signs `user` in and grants every scope.
  async function finishInteraction(req: IncomingMessage, res: ServerResponse, user: string) {
    try {
      const { params } = await provider.interactionDetails(req, res)
      const grant = new provider.Grant({ accountId: user, clientId: params.client_id as string })
      grant.addOIDCScope(String(params.scope))
      const target = (params.audience as string | undefined) ?? resource
      grant.addResourceScope(target, `api:read ${String(params.scope)}`)
      const grantId = await grant.save()
      grantsOf.set(user, [...(grantsOf.get(user) ?? []), grantId])
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      )
    } catch (error) {
      res.statusCode = 500
      res.end(String(error))
    }
  }

  /** A GET with a cookie jar, through node:http so a DOM test environment cannot intercept it. */
  function get(target: string, jar: Map<string, string>) {
    return new Promise<{ status: number; location: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(
          target,
          { headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } },
          (res) => {
            for (const line of res.headers['set-cookie'] ?? []) {
              const [pair] = line.split(';')
              const eq = pair!.indexOf('=')
              const value = pair!.slice(eq + 1)
              if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line))
                jar.delete(pair!.slice(0, eq))
              else jar.set(pair!.slice(0, eq), value)
            }
            let body = ''
            res.on('data', (c) => (body += c))
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }),
            )
          },
        )
        req.on('error', reject)
        req.end()
      },
    )
  }

  return {
    url,
    issuer,
    clientId,
    redirectUri,
    resource,
    provider,
    state,
    /**
     * Signs `user` in headlessly: follows the authorization request to the interaction,
     * finishes it for `user`, and returns the redirect back to the app (`code`, `state`).
     */
    async login(authorizeUrl: string, user: string): Promise<string> {
      const jar = new Map<string, string>()
      let next = authorizeUrl
      const trail: string[] = []
      for (let hop = 0; hop < 10; hop++) {
        if (next.startsWith(redirectUri)) return next
        const target = new URL(next, url)
        if (/^\/interaction\/[^/]+$/.test(target.pathname))
          target.search = `login=${encodeURIComponent(user)}`
        const res = await get(target.href, jar)
        if (!res.location) throw new Error(`login stopped at ${res.status}: ${res.body}`)
        trail.push(`${res.status} ${next} -> ${res.location}`)
        next = res.location
      }
      throw new Error(`login: too many redirects\n${trail.join('\n')}`)
    },
    /** Destroys every grant of `user`: their refresh tokens now get `invalid_grant`. */
    async revoke(user: string) {
      for (const id of grantsOf.get(user) ?? []) await (await provider.Grant.find(id))?.destroy()
    },
    /** Disables the account: `findAccount` no longer knows it. */
    disable(user: string) {
      disabled.add(user)
    },
    outage(down: boolean) {
      state.down = down
      if (down) for (const s of sockets) s.destroy()
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

/** A client of this server as the session survival suite drives it. */
export interface SurvivalClientOf {
  signIn(user: string): Promise<unknown>
  userId(user: string): string
}

/**
 * The `runSessionSurvival` subject for a connector over this server: a fresh client per
 * scenario, sign-in and user switch through the client, revocation and outage through the
 * server, and the server's token-request count as the proof that nothing loops. `server` is
 * a getter: the suite is declared before `beforeAll` starts the server.
 */
export function survivalSubject<C extends SurvivalClientOf>(
  server: () => OidcServer,
  name: string,
  newClient: () => C,
  connectorOf: (client: C) => Connector,
): SurvivalSubject {
  return {
    name,
    async signedIn(user) {
      const c = newClient()
      await c.signIn(user)
      let current = c.userId(user)
      return {
        connector: connectorOf(c),
        async switchTo(next) {
          await c.signIn(next)
          current = c.userId(next)
          return current
        },
        revoke: () => server().revoke(current),
      }
    },
    outage: (down) => server().outage(down),
    providerCalls: () => server().state.tokenRequests,
  }
}
