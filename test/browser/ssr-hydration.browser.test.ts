import { DEFAULT_POLICY, decodeJwt, refreshLead } from '@keyway/core'
import { KeywayProvider } from '@keyway/react'
import type { Browser } from 'playwright-core'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchChromium, type Site, startSite } from './harness.js'
import { App, authLine } from './ssr-app.js'

// A server-rendered app, end to end: react-dom/server renders in Node with a token the site's
// issuer minted (what a server holding the user's session has), the HTML and the credentials
// go inline in the page, and real Chromium hydrates with a session created from the same
// credentials. 12 s tokens: the session's refresh point comes 6–7.2 s after the token's iat.

const LIFETIME_SEC = 12
const USER = authLine('authenticated', 'user_browser', 'token')

let browser: Browser
let site: Site
/**
 * What the server rendered last: the token it held and the HTML it sent. `withoutCredentials`
 * has it render as if it had none (while still inlining them), the mismatch the check must see.
 */
const served: { token?: string; html?: string; withoutCredentials?: boolean } = {}

beforeAll(async () => {
  browser = await launchChromium()
  site = await startSite({
    lifetimeSec: LIFETIME_SEC,
    page: './ssr-page.tsx',
    body: async () => {
      const initialCredentials = { token: await site.mint() }
      served.token = initialCredentials.token
      served.html = renderToString(
        createElement(
          KeywayProvider,
          { session: null, ...(served.withoutCredentials ? {} : { initialCredentials }) },
          createElement(App),
        ),
      )
      // `<` escaped so no token or claim can close the script early.
      const inline = JSON.stringify(initialCredentials).replace(/</g, '\\u003c')
      return `<div id="root">${served.html}</div><script>window.ssrCredentials = ${inline}</script>`
    },
  })
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
})

/** Opens the page and collects every console error and warning it prints. */
async function openPage() {
  const page = await browser.newPage()
  const consoleIssues: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      consoleIssues.push(`${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => consoleIssues.push(`pageerror: ${error.message}`))
  await page.goto(site.url)
  await page.waitForFunction(() => window.ssrPage?.renders.length > 0)
  return { page, consoleIssues }
}

it('renderToString in Node, hydrateRoot in Chromium: authenticated from the first client render, no hydration warning, no connector call before the refresh point', async () => {
  const started = Date.now()
  const { page, consoleIssues } = await openPage()
  const hydratedMs = Date.now() - started
  expect(served.html).toContain(USER)

  // The refresh point of the served token: the expiry the session holds for it (the JWT's
  // `exp`, moved earlier by up to the second `iat` is rounded to) less the session's lead and
  // the most jitter it may take off.
  const { exp, iat } = decodeJwt(served.token!).payload
  const lifetimeMs = (exp! - iat!) * 1000
  const heldExpiry = await page.evaluate(() => window.ssrPage.session.getSnapshot().expiresAt)
  expect(heldExpiry).toBeGreaterThan(exp! * 1000 - 1_100)
  const refreshPoint =
    heldExpiry! -
    refreshLead(lifetimeMs, DEFAULT_POLICY) -
    DEFAULT_POLICY.jitterFraction * lifetimeMs
  const callsBefore = site.requests.length
  // Wait for the session's own refresh, which must come before the token expires.
  await expect
    .poll(() => site.requests.length, { timeout: exp! * 1000 - Date.now(), interval: 100 })
    .toBeGreaterThan(0)
  const firstCallAt = site.requests[0]!.at
  await page.waitForFunction(() => window.ssrPage.session.getSnapshot().tokenVersion > 1)

  const result = await page.evaluate(() => ({
    renders: window.ssrPage.renders,
    recoverable: window.ssrPage.recoverable,
    text: document.getElementById('auth')?.textContent,
    counters: window.ssrPage.session.getSnapshot().counters,
  }))
  const before = result.renders.filter((r) => r.at < firstCallAt)
  console.log(
    [
      `ssr hydration: page hydrated ${hydratedMs} ms after navigation; ${result.renders.length} renders, first ${result.renders[0]?.line}`,
      `token lifetime ${lifetimeMs / 1000} s, held expiry ${Math.round(exp! * 1000 - heldExpiry!)} ms before exp; first connector call ${((firstCallAt - iat! * 1000) / 1000).toFixed(2)} s after iat (refresh point from ${((refreshPoint - iat! * 1000) / 1000).toFixed(2)} s); calls before hydration ${callsBefore}`,
      `console errors/warnings ${consoleIssues.length}, recoverable errors ${result.recoverable.length}`,
    ].join('\n  '),
  )

  expect(consoleIssues).toEqual([])
  expect(result.recoverable).toEqual([])
  // No 'loading' or signed-out flash: every render before the refresh showed the user.
  expect(result.renders[0]!.line).toBe(USER)
  expect(before.every((r) => r.line === USER)).toBe(true)
  expect(result.text).toBe(USER)
  expect(callsBefore).toBe(0)
  // The first call is the session's proactive refresh, at or after the refresh point (the
  // 100 ms allow for the page and the issuer reading the clock at different moments).
  expect(firstCallAt).toBeGreaterThanOrEqual(refreshPoint - 100)
  expect(firstCallAt).toBeLessThan(exp! * 1000)
  expect(site.requests).toHaveLength(1)
  await page.close()
})

it('the check sees a mismatch: a server render without the credentials is reported by React on hydration', async () => {
  served.withoutCredentials = true
  try {
    const { page, consoleIssues } = await openPage()
    // Hydration errors are reported once React has given up on the server HTML.
    await page.waitForFunction(() => window.ssrPage.recoverable.length > 0, undefined, {
      timeout: 5_000,
    })
    const recoverable = await page.evaluate(() => window.ssrPage.recoverable)
    console.log(
      `ssr mismatch control: ${recoverable[0]?.split('.')[0]}; console ${consoleIssues.length}`,
    )
    expect(served.html).toContain(authLine('initializing', null, null))
    expect(recoverable.join('\n')).toMatch(/hydrat/i)
    await page.close()
  } finally {
    served.withoutCredentials = false
  }
})
