import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs'

/** Bundles page.ts from workspace sources for the browser. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@keyway/source', 'browser', 'import', 'default'],
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

export interface IssuerRequest {
  at: number
  tab: string
  /** When the answer went out (wall-clock ms); absent while it is held. */
  answeredAt?: number
}

/**
 * Serves the test page and a token issuer on 127.0.0.1. The issuer counts every request
 * and can hold requests, refuse them (signed out) or answer 503.
 */
export async function startSite(options: { lifetimeSec: number }) {
  const script = await bundlePage()
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'site' }
  const requests: IssuerRequest[] = []
  // holdMs delays a request before its token is minted; lateFirstMs delays the answer after it,
  // for a tab's first request only (a tab with no earlier sample of the issuer's clock; the
  // token is then older than the round trip suggests).
  const state = { signedIn: true, holdMs: 0, lateFirstMs: 0, lifetimeSec: options.lifetimeSec }
  const answeredTabs = new Set<string>()
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/') {
      res.setHeader('content-type', 'text/html')
      return res.end(
        '<!doctype html><meta charset="utf-8"><title>keyway</title><script type="module" src="/app.js"></script>',
      )
    }
    if (url.pathname === '/app.js') {
      res.setHeader('content-type', 'text/javascript')
      return res.end(script)
    }
    if (url.pathname === '/jwks') return res.end(JSON.stringify({ keys: [jwk] }))
    if (url.pathname !== '/token') {
      res.statusCode = 404
      return res.end()
    }
    const request: IssuerRequest = { at: Date.now(), tab: String(req.headers['x-tab'] ?? '?') }
    requests.push(request)
    res.on('finish', () => {
      request.answeredAt = Date.now()
    })
    if (state.holdMs > 0) await new Promise((r) => setTimeout(r, state.holdMs))
    if (!state.signedIn) {
      res.statusCode = 401
      return res.end('{}')
    }
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'site' })
      .setSubject('user_browser')
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(`${state.lifetimeSec}s`)
      .sign(privateKey)
    const firstOfTab = !answeredTabs.has(request.tab)
    answeredTabs.add(request.tab)
    if (firstOfTab && state.lateFirstMs > 0)
      await new Promise((r) => setTimeout(r, state.lateFirstMs))
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ token }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    state,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** Debian Chromium, headless, with the flags this closed network needs. Fails (never skips) without it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No browser at ${CHROMIUM}: install Chromium (apt-get install chromium) or set KEYWAY_CHROMIUM`,
    )
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--disable-quic',
      // Background tabs keep their timers: the tests measure refresh timing across tabs.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  })
}

export type Site = Awaited<ReturnType<typeof startSite>>

/**
 * Chromium and the site for one test file: both start in `beforeAll` and close in `afterAll`;
 * read them from the returned object inside tests.
 */
export function useChromiumSite(options: { lifetimeSec: number }): {
  browser: Browser
  site: Site
} {
  const handles = {} as { browser: Browser; site: Site }
  beforeAll(async () => {
    handles.browser = await launchChromium()
    handles.site = await startSite(options)
  })
  afterAll(async () => {
    await handles.browser?.close()
    await handles.site?.close()
  })
  return handles
}
