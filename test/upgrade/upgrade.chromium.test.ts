import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../browser/harness.js'
import { type Stack, startStack } from './support/stack.js'

// Real Debian Chromium against the real stack (Better Auth, data API on PGlite, link
// endpoints), same origin: the guest key in IndexedDB, Web Locks between tabs, the upgrade
// step in localStorage. A tab is closed in the middle of the upgrade; another tab finishes it.

let browser: Browser
let stack: Stack

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@keyway/source', 'browser', 'import', 'default'],
    write: false,
    logLevel: 'silent',
  })
  stack = await startStack({
    assets: {
      '/': {
        type: 'text/html',
        body: '<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>',
      },
      '/app.js': { type: 'text/javascript', body: bundle.outputFiles[0]!.text },
    },
  })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await stack?.close()
})

/** Polls the page from Node: a tab in the background runs neither animation frames nor eager timers. */
async function until(page: Page, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await page.evaluate(predicate))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${predicate}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function openTab(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${stack.url}/${query}`)
  // Polling, not animation frames: a tab in the background gets none.
  await page.waitForFunction(() => window.app?.ready || window.app?.error, null, {
    timeout: 15_000,
    polling: 50,
  })
  expect(await page.evaluate(() => window.app.error ?? null)).toBeNull()
  return page
}

describe('guest → account in Chromium, across tabs and a closed tab', () => {
  it('two tabs share one guest; the tab upgrading is closed mid-step; the other finishes, every row once', async () => {
    const context = await browser.newContext()
    try {
      const a = await openTab(context, '?hang=reown')
      const b = await openTab(context, '?watch=later')
      const guestId = await a.evaluate(() => window.app.guestId())
      expect(guestId).toMatch(/^anon_[A-Za-z0-9_-]{43}$/)
      expect(await b.evaluate(() => window.app.guestId())).toBe(guestId)
      expect(await a.evaluate(() => window.app.status())).toBe('anonymous')

      await a.evaluate(async () => {
        await window.app.write('guest row, synced')
        await window.app.sync()
        await window.app.write('guest row, unsynced (tab a)')
      })
      // localStorage reaches another tab's renderer a moment later: each tab writes only once
      // it sees the other's rows, or its read-modify-write would drop them (a harness race
      // that showed on a loaded 2-core CI run, not keyway's: keyway keeps no rows).
      await until(b, () => window.app.local().length === 2)
      await b.evaluate(() => window.app.write('guest row, unsynced (tab b)'))
      await until(a, () => window.app.local().length === 3)

      // Tab a signs up; its upgrade links, then hangs inside onUpgrade holding the lock.
      await a.evaluate(() => window.app.signUp('chromium@keyway.test'))
      await until(a, () => window.app.reowning)
      expect(await a.evaluate(() => window.app.state())).toMatchObject({ state: 'linked' })
      const accountId = await a.evaluate(() => window.app.userId())
      await a.close() // the tab dies mid-step: its Web Lock is released

      // Tab b, signed in too (shared cookie, shared credentials), starts watching: it takes
      // the lock tab a left behind and finishes the upgrade from "linked".
      await until(b, () => window.app.status() === 'authenticated')
      await b.evaluate(() => window.app.watch!())
      await until(b, () => window.app.results.length > 0 || window.app.errors.length > 0)
      expect(await b.evaluate(() => window.app.errors)).toEqual([])
      const results = await b.evaluate(() => window.app.results)
      expect(results).toEqual([{ from: guestId, to: accountId, outcome: 'promoted' }])
      expect(await b.evaluate(() => window.app.state())).toMatchObject({ state: 'done' })

      const local = await b.evaluate(() => window.app.local())
      expect(local).toHaveLength(3)
      expect(local.every((n) => n.owner === accountId && n.synced)).toBe(true)
      const stored = (await stack.allNotes()).filter((n) => n.owner === guestId)
      expect(stored.map((n) => n.id).sort()).toEqual(local.map((n) => n.id).sort())

      // A reload finds no guest key any more; the account sees all three rows.
      await b.reload()
      await until(b, () => window.app?.ready === true)
      expect(await b.evaluate(() => window.app.guestId())).toBeUndefined()
      expect(await b.evaluate(() => window.app.status())).toBe('authenticated')
      expect((await b.evaluate(() => window.app.list())).map((n) => n.body).sort()).toEqual([
        'guest row, synced',
        'guest row, unsynced (tab a)',
        'guest row, unsynced (tab b)',
      ])
    } finally {
      await context.close()
    }
  }, 60_000)
})
