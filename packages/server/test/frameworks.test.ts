import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type ErrorRequestHandler } from 'express'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLinkHandler } from '../src/link-handler.js'
import { toNodeHandler } from '../src/node-adapter.js'
import { custom } from '../src/presets/index.js'
import { memoryLinkStore } from '../src/stores/memory.js'
import { VerificationError } from '../src/verification-error.js'
import { createVerifier } from '../src/verifier.js'
import { type JwksServer, startJwksServer } from './jwks-server.js'
import { guestDevice, type ProviderKey, providerKey, providerMinter } from './tokens.js'

// The verifier and the link handler mounted in real Hono and real Express apps, each served
// on 127.0.0.1 and called over HTTP with fetch, as a browser would.

const ISSUER = 'https://auth.keyway.test'
let key: ProviderKey
let jwks: JwksServer
const servers: Server[] = []

async function serve(listener: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(listener)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  key = await providerKey('p')
  jwks = await startJwksServer([key.jwk])
})
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  }
  await jwks.close()
})

const mint = providerMinter({ issuer: ISSUER, now: () => Date.now() })

function backend(linkAudience: string) {
  const verifier = createVerifier({
    providers: [custom({ id: 'auth', jwksUrl: jwks.url, issuer: ISSUER })],
    anonymous: { audience: 'api' },
  })
  const links = createLinkHandler({ verifier, store: memoryLinkStore(), linkAudience })
  return { verifier, links }
}

/** One guest upgrade over HTTP: challenge, proof, link. */
async function upgradeOverHttp(base: string, linkPath: string) {
  const guest = await guestDevice(() => Date.now())
  const providerToken = await mint(key, { sub: 'user_http' })
  const challenge = await fetch(`${base}${linkPath}/challenge`, { method: 'POST' })
  const { nonce } = (await challenge.json()) as { nonce: string }
  const proof = await guest.proof({ providerToken, nonce, audience: `${base}${linkPath}/link` })
  const linked = await fetch(`${base}${linkPath}/link`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ providerToken, proof }),
  })
  return { guest, status: linked.status, body: await linked.json() }
}

describe('Hono (fetch-style handlers)', () => {
  it('verifies Bearer tokens in a route and serves the link endpoints', async () => {
    const app = new Hono()
    let links: ReturnType<typeof backend>['links'] | undefined
    let verifier: ReturnType<typeof backend>['verifier'] | undefined
    // #region hono
    app.get('/notes', async (c) => {
      try {
        const { userId } = await verifier!.verifyRequest(c.req.raw)
        return c.json({ userId })
      } catch (error) {
        if (error instanceof VerificationError) return c.json({ error: error.reason }, 401)
        throw error
      }
    })
    app.post('/link/*', (c) => links!.handle(c.req.raw))
    // #endregion
    const base = await serve(toNodeHandler((request) => app.fetch(request)))
    ;({ links, verifier } = backend(`${base}/link/link`))

    const token = await mint(key, { sub: 'user_hono' })
    const ok = await fetch(`${base}/notes`, { headers: { authorization: `Bearer ${token}` } })
    expect(await ok.json()).toEqual({ userId: 'user_hono' })
    const refused = await fetch(`${base}/notes`)
    expect([refused.status, await refused.json()]).toEqual([401, { error: 'no_token' }])
    const { guest, status, body } = await upgradeOverHttp(base, '/link')
    expect([status, body]).toEqual([
      200,
      { anonymousId: guest.id, userId: 'user_http', outcome: 'promoted' },
    ])
  })
})

describe('Express (through toNodeHandler)', () => {
  it('serves the link endpoints mounted under a path, with or without express.json()', async () => {
    for (const parseJson of [false, true]) {
      const app = express()
      if (parseJson) app.use(express.json())
      let links: ReturnType<typeof backend>['links'] | undefined
      // #region express
      app.use(
        '/api/link',
        toNodeHandler((request) => links!.handle(request)),
      )
      // #endregion
      const base = await serve(app)
      ;({ links } = backend(`${base}/api/link/link`))
      const { guest, status, body } = await upgradeOverHttp(base, '/api/link')
      expect([status, body], `express.json(): ${parseJson}`).toEqual([
        200,
        { anonymousId: guest.id, userId: 'user_http', outcome: 'promoted' },
      ])
      const refused = await fetch(`${base}/api/link/link`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"providerToken":1}',
      })
      expect([refused.status, await refused.json()]).toEqual([400, { error: 'bad_request' }])
    }
  })

  it("a handler that throws reaches Express's error middleware through next", async () => {
    const app = express()
    app.use(
      '/boom',
      toNodeHandler(async () => {
        throw new Error('store down')
      }),
    )
    const onError: ErrorRequestHandler = (error, _req, res, _next) => {
      res.status(502).json({ caught: (error as Error).message })
    }
    app.use(onError)
    const response = await fetch(`${await serve(app)}/boom`, { method: 'POST', body: '{}' })
    expect([response.status, await response.json()]).toEqual([502, { caught: 'store down' }])
  })
})

describe('node:http (toNodeHandler without a framework)', () => {
  it('streams the request body in, copies status, headers and every cookie out, 500 on a throw', async () => {
    const base = await serve(
      toNodeHandler(async (request) => {
        if (new URL(request.url).pathname === '/throw') throw new Error('no')
        const headers = new Headers({ 'x-echo-method': request.method })
        headers.append('set-cookie', 'a=1')
        headers.append('set-cookie', 'b=2')
        return new Response(`got ${await request.text()}`, { status: 201, headers })
      }),
    )
    const response = await fetch(`${base}/echo`, { method: 'PUT', body: 'x'.repeat(100_000) })
    expect(response.status).toBe(201)
    expect(response.headers.get('x-echo-method')).toBe('PUT')
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(await response.text()).toBe(`got ${'x'.repeat(100_000)}`)
    expect((await fetch(`${base}/throw`)).status).toBe(500)
  })
})
