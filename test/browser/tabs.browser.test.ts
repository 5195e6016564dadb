import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { chromiumSitePerFile } from './harness.js'
import type { Sample } from './page.js'

// Real Debian Chromium, real IndexedDB, Web Locks and BroadcastChannel, real time: tokens
// live 15 s, so every scenario below takes seconds of wall clock by design.
const LIFETIME_SEC = 15
const env = chromiumSitePerFile({ lifetimeSec: LIFETIME_SEC })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function openTab(context: BrowserContext, tab: string, query = ''): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${env.site.url}/?tab=${tab}${query}`)
  await page.waitForFunction(
    () => window.keyway?.firstToken || window.keyway?.error || window.keyway?.anonymousId,
    null,
    {
      timeout: 15_000,
    },
  )
  expect(await page.evaluate(() => window.keyway.error ?? null)).toBeNull()
  return page
}

const samplesOf = (page: Page) => page.evaluate(() => window.keyway.samples) as Promise<Sample[]>
const statusOf = (page: Page) => page.evaluate(() => window.keyway.session!.getSnapshot().status)

function expectAlwaysValid(samples: Sample[]) {
  expect(samples.length).toBeGreaterThan(0)
  for (const s of samples) {
    expect(s.status).not.toBe('signedOut')
    expect(s.error).toBeNull()
    expect(s.tokenExp).toBeGreaterThan(s.at)
  }
}

function resetSite() {
  env.site.requests.splice(0)
  env.site.state.signedIn = true
  env.site.state.holdMs = 0
}

/** Runs a scenario in a fresh browser profile that is closed whatever happens. */
async function inContext(run: (context: BrowserContext) => Promise<void>): Promise<void> {
  resetSite()
  const context = await env.browser.newContext()
  try {
    await run(context)
  } finally {
    await context.close()
  }
}

describe('@keyway/browser in Chromium', () => {
  // Two token lifetimes: enough for each tab to take several refreshes from the others.
  const TABS_MS = 2 * LIFETIME_SEC * 1_000
  it(`8 tabs, ${LIFETIME_SEC} s tokens, ${TABS_MS / 1_000} s: about one issuer request per refresh in total, every tab always valid`, async () => {
    await inContext(async (context) => {
      const tabs: Page[] = []
      for (let i = 0; i < 8; i++) tabs.push(await openTab(context, `t${i}`))
      await sleep(TABS_MS)
      // Refreshes land 7.5–9 s before expiry: one per ~6–7.5 s for the whole origin, not per
      // tab (plus the first token and one of slack above; one of slack below).
      expect(env.site.requests.length).toBeLessThanOrEqual(Math.ceil(TABS_MS / 6_000) + 2)
      expect(env.site.requests.length).toBeGreaterThanOrEqual(Math.floor(TABS_MS / 7_500) - 1)
      for (const tab of tabs) expectAlwaysValid(await samplesOf(tab))
    })
  })

  it('the tab holding the lock is closed mid-refresh: another tab completes it, nobody sees a gap', async () => {
    await inContext(async (context) => {
      const tabs = [
        await openTab(context, 'a'),
        await openTab(context, 'b'),
        await openTab(context, 'c'),
      ]
      const before = env.site.requests.length
      env.site.state.holdMs = 4_000
      const deadline = Date.now() + 20_000
      while (env.site.requests.length === before && Date.now() < deadline) await sleep(50)
      const holder = env.site.requests.at(-1)!.tab
      env.site.state.holdMs = 0
      const holderPage = tabs.find((_, i) => ['a', 'b', 'c'][i] === holder)!
      await holderPage.close() // releases its Web Lock with the refresh unfinished
      await sleep(8_000)
      const after = env.site.requests.slice(before + 1)
      expect(after.some((r) => r.tab !== holder)).toBe(true)
      for (const tab of tabs.filter((t) => t !== holderPage)) {
        expectAlwaysValid(await samplesOf(tab))
        expect(await statusOf(tab)).toBe('authenticated')
      }
    })
  })

  it('a reload with a valid persisted token makes zero issuer requests before the first token', async () => {
    await inContext(async (context) => {
      const page = await openTab(context, 'r')
      const count = env.site.requests.length
      expect(count).toBe(1)
      await page.reload()
      await page.waitForFunction(() => window.keyway?.firstToken)
      expect(env.site.requests.length).toBe(count)
      expect(await page.evaluate(() => window.keyway.firstTokenAt)).toBeLessThan(1_000)
    })
  })

  // Past the expiry of the token held when going offline, whatever its age.
  const OFFLINE_MS = (LIFETIME_SEC + 5) * 1_000
  it(`offline for ${OFFLINE_MS / 1_000} s across an expiry: no requests offline, one within 1 s of online, never signed out`, async () => {
    await inContext(async (context) => {
      const tabs = [await openTab(context, 'o1'), await openTab(context, 'o2')]
      await context.setOffline(true)
      const offlineAt = Date.now()
      await sleep(OFFLINE_MS)
      const duringOffline = env.site.requests.filter((r) => r.at > offlineAt + 200).length
      await context.setOffline(false)
      const onlineAt = Date.now()
      const deadline = onlineAt + 10_000
      while (!env.site.requests.some((r) => r.at >= onlineAt) && Date.now() < deadline)
        await sleep(25)
      expect(duringOffline).toBe(0)
      const first = env.site.requests.find((r) => r.at >= onlineAt)
      expect(first).toBeDefined()
      // Measured from the moment the page saw `online` (on a loaded machine Chromium can take
      // a while to deliver it): keyway's own reaction must be immediate.
      const sawOnline = Math.min(
        ...(await Promise.all(
          tabs.map((t) => t.evaluate(() => window.keyway.onlineAt ?? Number.POSITIVE_INFINITY)),
        )),
      )
      expect(first!.at - Math.min(sawOnline, first!.at)).toBeLessThan(1_000)
      for (const tab of tabs) {
        const samples = await samplesOf(tab)
        expect(samples.some((s) => s.status === 'signedOut')).toBe(false)
        // Offline past expiry the app gets ERR_OFFLINE, never a dead token.
        for (const s of samples) if (s.tokenExp !== null) expect(s.tokenExp).toBeGreaterThan(s.at)
      }
      await sleep(1_000)
      for (const tab of tabs) expect(await statusOf(tab)).toBe('authenticated')
    })
  })

  it('sign-out in one tab signs every tab out within 1 s, and none fetches again', async () => {
    await inContext(async (context) => {
      const tabs = [
        await openTab(context, 's1'),
        await openTab(context, 's2'),
        await openTab(context, 's3'),
      ]
      env.site.state.signedIn = false
      const count = env.site.requests.length
      const outAt = Date.now()
      await tabs[0]!.evaluate(() => window.keyway.session!.signOut())
      for (const tab of tabs.slice(1))
        await tab.waitForFunction(
          () => window.keyway.session!.getSnapshot().status === 'signedOut',
          null,
          { timeout: 1_000 },
        )
      expect(Date.now() - outAt).toBeLessThan(1_500)
      await sleep(LIFETIME_SEC * 1_000)
      expect(env.site.requests.length).toBe(count)
    })
  })

  it('two tabs opened at the same instant on a fresh profile share one device key that page script cannot export', async () => {
    await inContext(async (context) => {
      const [a, b] = await Promise.all([
        openTab(context, 'k1', '&mode=device-key'),
        openTab(context, 'k2', '&mode=device-key'),
      ])
      const ids = await Promise.all([a, b].map((p) => p.evaluate(() => window.keyway.anonymousId)))
      expect(ids[0]).toMatch(/^anon_[A-Za-z0-9_-]{43}$/)
      expect(ids[1]).toBe(ids[0])
      expect(await a.evaluate(() => window.keyway.privateKeyExportable)).toBe(false)
    })
  })

  it('IndexedDB unavailable: the session still works in memory', async () => {
    await inContext(async (context) => {
      await context.addInitScript(() => {
        Object.defineProperty(window, 'indexedDB', {
          get() {
            throw new DOMException('IndexedDB is disabled', 'SecurityError')
          },
        })
      })
      const page = await openTab(context, 'm')
      await sleep(2_000)
      expectAlwaysValid(await samplesOf(page))
      expect(await statusOf(page)).toBe('authenticated')
    })
  })

  it('a wake after a long suspension (page script paused across an expiry) checks at once: a new token before any request, no dead token', async () => {
    await inContext(async (context) => {
      const page = await openTab(context, 'w')
      // Headless Chromium ignores Page.setWebLifecycleState('frozen') for a visible page, so
      // the suspension is made with the debugger: the page's script stops while time goes
      // on, as in a sleeping laptop; its timers then fire late, all at once.
      const cdp = await context.newCDPSession(page)
      await cdp.send('Debugger.enable')
      const paused = new Promise<void>((resolve) => cdp.once('Debugger.paused', () => resolve()))
      await cdp.send('Debugger.pause')
      await paused // the sampler runs every 250 ms, so the pause lands at once
      await sleep((LIFETIME_SEC + 5) * 1_000) // the token dies while the page is suspended
      const count = env.site.requests.length
      const resumedAt = Date.now()
      await cdp.send('Debugger.resume')
      const deadline = resumedAt + 15_000
      while (env.site.requests.length === count && Date.now() < deadline) await sleep(25)
      expect(env.site.requests.length).toBeGreaterThan(count)
      expect(env.site.requests[count]!.at - resumedAt).toBeLessThan(1_000)
      await cdp.send('Debugger.disable')
      await sleep(1_000)
      const after = (await samplesOf(page)).filter((s) => s.at >= resumedAt)
      expect(after.length).toBeGreaterThan(0)
      expectAlwaysValid(after)
    })
  })
})
