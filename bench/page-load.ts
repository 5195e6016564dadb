// Page load in real Chromium with a valid persisted token: how long until the page holds its
// first token, and how many requests reach the token issuer (must be 0). Reuses the browser
// test site (test/browser/harness.ts + page.ts: @keyway/browser with IndexedDB persistence,
// an http connector, and an issuer on 127.0.0.1 that counts requests).

import { launchChromium, startSite } from '../test/browser/harness.js'
import { quantile, round, writeStage } from './support/stats.js'

// playwright-core is the test package's dependency: its types come through the harness.
type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchChromium>>['newPage']>>

const RELOADS = 12
const LIFETIME_SEC = 3600

// Runs before the page's script: notes, on the navigation's clock, when the page sets
// window.keyway.firstTokenAt (page.ts sets it right after its first getToken() resolves).
// A string, not a function: tsx's name helpers do not exist inside the page.
const INSTRUMENT = `
  let state
  Object.defineProperty(window, 'keyway', {
    configurable: true,
    get: () => state,
    set: (value) => {
      state = value
      let scriptMs
      Object.defineProperty(value, 'firstTokenAt', {
        get: () => scriptMs,
        set: (ms) => {
          scriptMs = ms
          value.navigationToTokenMs = performance.now()
        },
      })
    },
  })
`

interface Load {
  navigationToTokenMs: number
  scriptToTokenMs: number
  issuerRequests: number
  /** Every request the page made besides the document and its script. */
  otherRequests: number
}

const COLD_VISITS = 5

async function load(page: Page, requests: unknown[], url?: string): Promise<Load> {
  const before = requests.length
  const seen: string[] = []
  const onRequest = (r: { url(): string }) => void seen.push(new URL(r.url()).pathname)
  page.on('request', onRequest)
  if (url) await page.goto(url)
  else await page.reload()
  await page.waitForFunction(
    () => window.keyway?.firstTokenAt !== undefined || window.keyway?.error,
  )
  const error = await page.evaluate(() => window.keyway.error ?? null)
  if (error) throw new Error(`page failed: ${error}`)
  const times = await page.evaluate(() => ({
    navigationToTokenMs: (window.keyway as unknown as { navigationToTokenMs: number })
      .navigationToTokenMs,
    scriptToTokenMs: window.keyway.firstTokenAt!,
  }))
  page.off('request', onRequest)
  const other = seen.filter((p) => p !== '/' && p !== '/app.js' && p !== '/token').length
  return { ...times, issuerRequests: requests.length - before, otherRequests: other }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const browser = await launchChromium()
  const site = await startSite({ lifetimeSec: LIFETIME_SEC })
  try {
    const url = `${site.url}/?tab=bench`
    // First visits: a fresh profile each time, nothing persisted, one issuer request each.
    const cold: Load[] = []
    for (let i = 0; i < COLD_VISITS; i++) {
      const fresh = await browser.newContext()
      await fresh.addInitScript({ content: INSTRUMENT })
      cold.push(await load(await fresh.newPage(), site.requests, url))
      await fresh.close()
    }
    const context = await browser.newContext()
    await context.addInitScript({ content: INSTRUMENT })
    const page = await context.newPage()
    await load(page, site.requests, url)
    // The persisted token is written after the first fetch; give IndexedDB a moment.
    await page.waitForTimeout(300)
    const loads: Load[] = []
    for (let i = 0; i < RELOADS; i++) loads.push(await load(page, site.requests))
    const nav = loads.map((l) => l.navigationToTokenMs)
    const script = loads.map((l) => l.scriptToTokenMs)
    const result = {
      browser: `Chromium ${browser.version()}`,
      reloads: RELOADS,
      coldVisits: COLD_VISITS,
      coldIssuerRequests: cold.reduce((n, l) => n + l.issuerRequests, 0),
      coldNavigationToTokenMedianMs: round(
        quantile(
          cold.map((l) => l.navigationToTokenMs),
          0.5,
        ),
      ),
      issuerRequestsOnReloads: loads.reduce((n, l) => n + l.issuerRequests, 0),
      otherRequestsOnReloads: loads.reduce((n, l) => n + l.otherRequests, 0),
      navigationToTokenMedianMs: round(quantile(nav, 0.5)),
      navigationToTokenP95Ms: round(quantile(nav, 0.95)),
      scriptToTokenMedianMs: round(quantile(script, 0.5)),
      scriptToTokenP95Ms: round(quantile(script, 0.95)),
      loads: loads.map((l) => ({
        navigationToTokenMs: round(l.navigationToTokenMs),
        scriptToTokenMs: round(l.scriptToTokenMs),
        issuerRequests: l.issuerRequests,
        otherRequests: l.otherRequests,
      })),
    }
    writeStage('page-load', result)
    console.log('page load', { ...result, loads: undefined })
    await context.close()
  } finally {
    await browser.close()
    await site.close()
  }
}
