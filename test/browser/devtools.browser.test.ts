import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, startSite } from './harness.js'

// Real Chromium, real BroadcastChannel, Web Locks and IndexedDB, the real panel: 15 s tokens,
// so the shared refresh comes about 6–7.5 s after the first token.
let browser: Browser
let site: Awaited<ReturnType<typeof startSite>>

beforeAll(async () => {
  browser = await launchChromium()
  site = await startSite({ lifetimeSec: 15, page: './devtools-page.ts' })
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
})

interface Item {
  kind: string
  /** An action's name (a button pressed). */
  name?: string
  reason?: string
  from?: string
  /** `data-at` for marks, `data-start` for bars. */
  at: number
}
interface StripView {
  tab: string
  mine: boolean
  items: Item[]
}

/** What the panel's timeline shows, read from its shadow DOM. */
function timelineOf(page: Page): Promise<StripView[]> {
  return page.evaluate(() => {
    const root = document.querySelector('[data-keyway-devtools]')!.shadowRoot!
    return [...root.querySelectorAll<HTMLElement>('.strip')].map((strip) => ({
      tab: strip.dataset.tab!,
      mine: strip.hasAttribute('data-this-tab'),
      items: [...strip.querySelectorAll<HTMLElement>('[data-kind]')].map((i) => ({
        kind: i.dataset.kind!,
        ...(i.dataset.name ? { name: i.dataset.name } : {}),
        ...(i.dataset.reason ? { reason: i.dataset.reason } : {}),
        ...(i.dataset.from ? { from: i.dataset.from } : {}),
        at: Number(i.dataset.at ?? i.dataset.start),
      })),
    }))
  })
}

const mine = async (page: Page) => (await timelineOf(page)).find((s) => s.mine)!.items
const button = (page: Page, name: string) =>
  page.locator('[data-keyway-devtools]').getByRole('button', { name, exact: true })

async function openTab(context: BrowserContext, tab: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${site.url}/?tab=${tab}`)
  await page.waitForFunction(() => window.devtoolsPage?.ready || window.devtoolsPage?.error)
  expect(await page.evaluate(() => window.devtoolsPage.error ?? null)).toBeNull()
  return page
}

async function inContext(run: (context: BrowserContext) => Promise<void>): Promise<void> {
  site.requests.splice(0)
  const context = await browser.newContext()
  try {
    await run(context)
  } finally {
    await context.close()
  }
}

describe('@keyway/devtools in Chromium', () => {
  it('two tabs: both timelines show one shared refresh, one tab fetching and the other taking its token', async () => {
    await inContext(async (context) => {
      const a = await openTab(context, 'a')
      const b = await openTab(context, 'b')
      const opened = Date.now()
      await expect.poll(() => site.requests.length, { timeout: 15_000 }).toBe(2)
      // The other tab hears it over BroadcastChannel, then both panels share their events.
      await a.waitForTimeout(1_000)
      expect(site.requests.length).toBe(2)

      for (const page of [a, b]) {
        const strips = await timelineOf(page)
        expect(strips.length).toBe(2)
        const refreshes = strips.flatMap((s) =>
          s.items.filter((i) => i.kind === 'fetch' && i.at >= opened).map((i) => ({ ...i, s })),
        )
        expect(refreshes.map((r) => r.reason)).toEqual(['proactive'])
        const fetched = refreshes[0]!
        const other = strips.find((s) => s !== fetched.s)!
        const taken = other.items.filter((i) => i.kind === 'token' && i.from === 'tab')
        expect(taken.length).toBe(1)
        console.log(
          `panel of tab ${await page.evaluate(() => window.devtoolsPage.tab)}: tab ${fetched.s.tab} fetched at +${fetched.at - opened} ms, tab ${other.tab} took it ${taken[0]!.at - fetched.at} ms later`,
        )
        expect(taken[0]!.at - fetched.at).toBeGreaterThanOrEqual(0)
        expect(taken[0]!.at - fetched.at).toBeLessThan(1_000)
      }
    })
  }, 60_000)

  it('"Simulate 401": the rejection, then a new token within 1 s; the token never reaches the DOM', async () => {
    await inContext(async (context) => {
      const page = await openTab(context, 'r')
      const before = await page.evaluate(() => window.devtoolsPage.session.peek()!.token)
      await button(page, 'Simulate 401').click()
      await expect
        .poll(async () =>
          (await mine(page)).some((i) => i.kind === 'token' && i.reason === 'rejected'),
        )
        .toBe(true)
      const items = await mine(page)
      const rejection = items.find((i) => i.kind === 'rejection')!
      const fresh = items.find((i) => i.kind === 'token' && i.reason === 'rejected')!
      console.log(`simulate 401: rejection → new token in ${fresh.at - rejection.at} ms`)
      expect(fresh.at - rejection.at).toBeLessThan(1_000)
      const after = await page.evaluate(() => window.devtoolsPage.session.peek()!.token)
      expect(after).not.toBe(before)
      const dom = await page.evaluate(
        () =>
          document.documentElement.outerHTML +
          document.querySelector('[data-keyway-devtools]')!.shadowRoot!.innerHTML,
      )
      expect(dom).toContain('"sub": "user_browser"')
      for (const token of [before, after]) {
        expect(dom).not.toContain(token)
        expect(dom).not.toContain(token.split('.')[2])
      }
    })
  }, 60_000)

  it('"Go offline" then "Expire now": no fetch until "Go online", then one at once', async () => {
    await inContext(async (context) => {
      const page = await openTab(context, 'o')
      await button(page, 'Go offline').click()
      await button(page, 'Expire now').click()
      const expired = Date.now()
      await page.waitForTimeout(3_000)
      expect(site.requests.length).toBe(1)
      const offline = await mine(page)
      expect(offline.filter((i) => i.kind === 'fetch').map((i) => i.reason)).toEqual(['initial'])
      expect(offline.some((i) => i.kind === 'offline')).toBe(true)
      expect(await page.locator('[data-keyway-devtools] [data-part=left]').textContent()).toBe(
        'expired',
      )

      await button(page, 'Go online').click()
      await expect.poll(() => site.requests.length).toBe(2)
      await expect
        .poll(async () => (await mine(page)).filter((i) => i.kind === 'fetch').length)
        .toBe(2)
      const items = await mine(page)
      const wake = items.filter((i) => i.kind === 'fetch')[1]!
      // Both times from the page's clock: the button press as the panel recorded it.
      const online = items.find((i) => i.kind === 'action' && i.name === 'online')!
      console.log(
        `offline: 0 fetches in ${online.at - expired} ms after expiry; online → fetch (${wake.reason}) in ${wake.at - online.at} ms`,
      )
      expect(wake.reason).toBe('wake')
      expect(wake.at - online.at).toBeGreaterThanOrEqual(0)
      expect(wake.at - online.at).toBeLessThan(1_000)
    })
  }, 60_000)

  it("as a TanStack Devtools plugin: the real shell opens keyway's pane, and its buttons work there", async () => {
    const shell = await startSite({ lifetimeSec: 15, page: './tanstack-page.ts' })
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(shell.url)
      await page.waitForFunction(() => window.tanstackPage?.ready || window.tanstackPage?.error)
      expect(await page.evaluate(() => window.tanstackPage.error ?? null)).toBeNull()
      const panel = page.locator('[data-keyway-devtools]')
      await panel.getByText('authenticated').waitFor()
      await panel.getByRole('button', { name: 'Simulate 401', exact: true }).click()
      await panel.locator('[data-kind=token][data-reason=rejected]').waitFor()
      expect(shell.requests.length).toBe(2)
      expect(errors).toEqual([])
    } finally {
      await context.close()
      await shell.close()
    }
  }, 60_000)
})
