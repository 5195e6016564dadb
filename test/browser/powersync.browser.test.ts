import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSyncServiceDouble } from '../../packages/powersync/sync-test/sync-service-double.js'
import {
  expectSoakHeld,
  runSyncSoak,
  soakFigures,
} from '../../packages/powersync/sync-test/sync-soak.js'
import { launchChromium, type Site, startSite } from './harness.js'

// The real PowerSync web client (@powersync/web, its wa-sqlite WASM build with the PowerSync
// core) syncing in Chromium from the double of the PowerSync Service's /sync/stream, with a
// keyway session over the site's issuer through @keyway/powersync; twice: all in the page's own
// thread, and in PowerSync's prebuilt SharedWorker (its default on desktop Chromium), which calls
// the connector in the tab through messages. 10 s tokens: PowerSync prefetches credentials on
// every connection (it does below 30 s of life). KEYWAY_SOAK_MS sets the length (21 s: over two
// token lifetimes, a refused token every 10 s).

const SOAK_MS = Number(process.env.KEYWAY_SOAK_MS ?? 21_000)
const LIFETIME_SEC = 10
const REJECT_EVERY_MS = 10_000
const AUDIENCE = 'https://powersync.keyway.test'

// The SQLite WASM the bundled page loads next to itself (`new URL('wa-sqlite….wasm',
// import.meta.url)` in @journeyapps/wa-sqlite, @powersync/web's own dependency).
const require = createRequire(import.meta.url)
const waSqlite = join(
  dirname(
    require.resolve('@journeyapps/wa-sqlite/package.json', {
      paths: [dirname(require.resolve('@powersync/web'))],
    }),
  ),
  'dist',
)

// @powersync/web's prebuilt worker (`@powersync/web/bundled_worker`) with its chunks and WASM,
// served under /worker/ as an app copies it (`powersync-web copy-assets`).
const workerDir = join(dirname(require.resolve('@powersync/web/bundled_worker')))
const workerFiles = Object.fromEntries(
  readdirSync(workerDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(js|wasm)$/.test(name))
    .map((name) => [`/worker/${name}`, join(workerDir, name)]),
)

let browser: Browser
let site: Site
beforeAll(async () => {
  browser = await launchChromium()
  site = await startSite({
    lifetimeSec: LIFETIME_SEC,
    page: './powersync-page.ts',
    audience: AUDIENCE,
    files: {
      '/wa-sqlite.wasm': join(waSqlite, 'wa-sqlite.wasm'),
      '/wa-sqlite-async.wasm': join(waSqlite, 'wa-sqlite-async.wasm'),
      ...workerFiles,
    },
  })
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
})

const MODES = {
  'page thread': { query: '', runsIn: '/wa-sqlite-async.wasm' },
  'shared worker': { query: 'shared', runsIn: '/worker/worker.js' },
} as const

describe.each(Object.entries(MODES))('@powersync/web, %s', (mode, { query, runsIn }) => {
  it(
    `soak (real @powersync/web in Chromium, ${mode}, double of the PowerSync Service): ${SOAK_MS / 1000} s, ${LIFETIME_SEC} s tokens, a refused token every ${REJECT_EVERY_MS / 1000} s`,
    async () => {
      const service = await startSyncServiceDouble({
        jwks: site.jwks,
        issuer: site.url,
        audience: AUDIENCE,
        keepaliveMs: 2_000,
      })
      const page = await browser.newPage()
      const callsAtStart = site.requests.length
      site.served.length = 0
      try {
        const opened = Date.now()
        await page.goto(`${site.url}/?endpoint=${encodeURIComponent(service.url)}&mode=${query}`)
        await page.waitForFunction(
          () => window.powerSyncPage?.synced || window.powerSyncPage?.error,
          undefined,
          { timeout: 30_000 },
        )
        expect(await page.evaluate(() => window.powerSyncPage.error ?? null)).toBeNull()
        // The database ran where this mode puts it.
        expect(site.served).toContain(runsIn)
        const firstSyncMs = Date.now() - opened
        const callsBefore = site.requests.length - callsAtStart

        const run = await runSyncSoak(service, {
          soakMs: SOAK_MS,
          rejectEveryMs: REJECT_EVERY_MS,
          readRows: () => page.evaluate(() => window.powerSyncPage.rows()),
        })
        const { asks, counters } = await page.evaluate(() => ({
          asks: window.powerSyncPage.asks,
          counters: window.powerSyncPage.session.getSnapshot().counters,
        }))
        const calls = site.requests.length - callsAtStart
        // One call per token: the session refreshes a 10 s token 4–5 s before it expires (its
        // lead and jitter; the connector asks for half the lifetime), so a token serves 5–6 s.
        // Plus the first token and one per refused token.
        const budget =
          callsBefore + run.injected + Math.ceil(run.elapsedMs / (0.45 * LIFETIME_SEC * 1000))
        console.log(
          [
            `powersync web soak (${mode}): ${(run.elapsedMs / 1000).toFixed(1)} s, ${LIFETIME_SEC} s tokens; page open to first sync ${firstSyncMs} ms`,
            ...soakFigures(run, service),
            `PowerSync asked for credentials ${asks}×; connector calls ${calls} (≤ ${budget}; besides the first and the refusals, one per ${(run.elapsedMs / 1000 / Math.max(1, calls - callsBefore - counters.rejections)).toFixed(1)} s), session fetches ${counters.fetches}, rejections ${counters.rejections}`,
          ].join('\n  '),
        )

        expectSoakHeld(run, service, counters.rejections)
        expect(calls).toBeLessThanOrEqual(budget)
        expect(run.elapsedMs).toBeGreaterThanOrEqual(2 * LIFETIME_SEC * 1000)
      } finally {
        await page.close()
        await service.stop()
      }
    },
    SOAK_MS + 60_000,
  )
})
