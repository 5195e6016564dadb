import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs'

/** Bundles a test page (default page.ts) from workspace sources for the browser. */
async function bundlePage(page: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(page, import.meta.url))],
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

export interface SiteOptions {
  lifetimeSec: number
  /** The page's script, bundled from this folder (default `./page.ts`). */
  page?: string
  /** The page's body before its script, rendered per request (a server-rendered app). */
  body?: () => string | Promise<string>
  /** Files served as they are, by path (`/name.wasm` → absolute file name). */
  files?: Record<string, string>
  /** The `aud` claim of the issued tokens. */
  audience?: string
}

const CONTENT_TYPES: Record<string, string> = {
  wasm: 'application/wasm',
  js: 'text/javascript',
  mjs: 'text/javascript',
}

/**
 * Serves the test page and a token issuer on 127.0.0.1. The issuer counts every request
 * and can hold requests, refuse them (signed out) or answer 503. Its tokens verify against
 * the key set it serves at `/jwks`, with the site's URL as issuer.
 */
export async function startSite(options: SiteOptions) {
  const script = await bundlePage(options.page ?? './page.ts')
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'site', alg: 'ES256' }
  const requests: IssuerRequest[] = []
  // holdMs delays a request before its token is minted; lateFirstMs delays the answer after it,
  // for a tab's first request only (a tab with no earlier sample of the issuer's clock; the
  // token is then older than the round trip suggests).
  const state = { signedIn: true, holdMs: 0, lateFirstMs: 0, lifetimeSec: options.lifetimeSec }
  const answeredTabs = new Set<string>()
  /** The paths of `files` served, in order. */
  const served: string[] = []
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/') {
      const body = options.body ? await options.body() : ''
      res.setHeader('content-type', 'text/html')
      return res.end(
        `<!doctype html><meta charset="utf-8"><title>keyway</title><link rel="icon" href="data:,">${body}<script type="module" src="/app.js"></script>`,
      )
    }
    const file = options.files?.[url.pathname]
    if (file) {
      served.push(url.pathname)
      res.setHeader(
        'content-type',
        CONTENT_TYPES[extname(file).slice(1)] ?? 'application/octet-stream',
      )
      return res.end(await readFile(file))
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
    const token = await mint()
    const firstOfTab = !answeredTabs.has(request.tab)
    answeredTabs.add(request.tab)
    if (firstOfTab && state.lateFirstMs > 0)
      await new Promise((r) => setTimeout(r, state.lateFirstMs))
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ token }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  /** A token as `/token` issues it: what a server holding the user's session would have. */
  function mint(): Promise<string> {
    const token = new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'site' })
      .setIssuer(url)
      .setSubject('user_browser')
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(`${state.lifetimeSec}s`)
    if (options.audience) token.setAudience(options.audience)
    return token.sign(privateKey)
  }
  return {
    url,
    requests,
    served,
    state,
    mint,
    jwks: { keys: [jwk] },
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
export function chromiumSitePerFile(options: { lifetimeSec: number }): {
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
