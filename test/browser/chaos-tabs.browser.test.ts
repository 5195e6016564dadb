import type { BrowserContext, Page } from 'playwright-core'
import { expect, it } from 'vitest'
import {
  type Check,
  handOutFloor,
  type LockWait,
  noOverclaim,
  originCalls,
  report,
  servedWhenFresh,
  signedOutEverywhere,
} from '../chaos-real/invariants.js'
import type { HandOut } from '../chaos-real/record.js'
import { chromiumSitePerFile } from './harness.js'
import type { Sample } from './page.js'

// The Chromium part of the wall-clock chaos suite (issue 11): 8 tabs of one origin, 12 s
// tokens, real Web Locks, BroadcastChannel and IndexedDB. Tabs are closed mid-refresh,
// suspended (CDP Debugger.pause), reloaded; once all are open, a tab's first own refresh is
// answered late by most of a lifetime (9 s); at the end one tab signs out during another's
// refresh. Every tab samples getToken() every
// 250 ms (test/browser/page.ts); the checks and their figures come from test/chaos-real.

const LIFETIME_SEC = 12
const TABS = 8
const env = chromiumSitePerFile({ lifetimeSec: LIFETIME_SEC })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitFor(test: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!test() && Date.now() < deadline) await sleep(25)
  return test()
}

/** The wall-clock time at which the newest token that `at` could see had been delivered. */
function freshSince(at: number): number {
  const answered = env.site.requests
    .map((r) => r.answeredAt)
    .filter((t): t is number => t !== undefined && t <= at)
  return Math.max(0, ...answered)
}

it('8 tabs through closes, pauses, reloads, a late answer and a sign-out during a refresh', async () => {
  env.site.requests.splice(0)
  const context: BrowserContext = await env.browser.newContext()
  const tabs = new Map<string, Page>()
  const samples: Array<Sample & { tab: string }> = []
  const waits: LockWait[] = []
  /** When the test itself made a refresh necessary (a tab closed mid-refresh). */
  const forced: number[] = []

  const collect = async (name: string, page: Page) => {
    const list = (await page.evaluate(() => window.keyway.samples)) as Sample[]
    for (const s of list) samples.push({ ...s, tab: name })
  }
  const open = async (name: string) => {
    const page = await context.newPage()
    await page.goto(`${env.site.url}/?tab=${name}`)
    await page.waitForFunction(() => window.keyway?.firstTokenWall || window.keyway?.error, null, {
      timeout: 20_000,
    })
    await noteWait(name, page)
    tabs.set(name, page)
    return page
  }
  /** How long the tab waited for its first token beyond the moment a fresh one existed. */
  const noteWait = async (name: string, page: Page) => {
    const { startedWall, firstTokenWall, error } = await page.evaluate(() => ({
      startedWall: window.keyway.startedWall,
      firstTokenWall: window.keyway.firstTokenWall,
      error: window.keyway.error ?? null,
    }))
    expect(error).toBeNull()
    const fresh = Math.max(startedWall, freshSince(firstTokenWall!))
    waits.push({ tab: name, waitedMs: firstTokenWall! - fresh })
  }
  /** Waits for the next issuer request and names the tab that made it. */
  const nextRefresh = async (ms: number) => {
    const before = env.site.requests.length
    return (await waitFor(() => env.site.requests.length > before, ms))
      ? env.site.requests[before]!.tab
      : undefined
  }

  const started = Date.now()
  try {
    for (let i = 0; i < TABS; i++) await open(`t${i}`)
    env.site.state.lateFirstMs = 9_000

    // A tab closed mid-refresh: hold the next refresh, close the tab that made it, replace it.
    env.site.state.holdMs = 2_000
    const holder = await nextRefresh(15_000)
    env.site.state.holdMs = 0
    if (holder && tabs.has(holder)) {
      await collect(holder, tabs.get(holder)!)
      await tabs.get(holder)!.close()
      tabs.delete(holder)
      forced.push(Date.now())
      await open(`${holder}-new`)
    }

    // A tab suspended for 5 s (a frozen renderer, a debugger): its timers stop, then resume.
    const [pausedName, paused] = [...tabs][1]!
    const cdp = await context.newCDPSession(paused)
    await cdp.send('Debugger.enable')
    await cdp.send('Debugger.pause')
    await sleep(5_000)
    await cdp.send('Debugger.resume')
    await cdp.detach()

    // A reload: the page must get a token as soon as one exists (storage or another tab).
    const [reloadName, reloaded] = [...tabs].find(([name]) => name !== pausedName)!
    await collect(reloadName, reloaded)
    await reloaded.reload()
    await reloaded.waitForFunction(() => window.keyway?.firstTokenWall || window.keyway?.error)
    await noteWait(`${reloadName} (reloaded)`, reloaded)

    // A tab opened while a slow refresh holds the lock and the stored token is nearly dead:
    // it must get the new token as soon as the refreshing tab has it.
    env.site.state.lateFirstMs = 0
    env.site.state.holdMs = 9_000
    await nextRefresh(15_000)
    env.site.state.holdMs = 0
    await sleep(8_000)
    await open('opened-during-refresh')

    // Refreshes go on; a tab that fetches for the first time gets its answer 9 s late.
    env.site.state.lateFirstMs = 9_000
    await sleep(8_000)
    env.site.state.lateFirstMs = 0

    // One tab signs out while another's refresh is in flight.
    env.site.state.holdMs = 3_000
    const refresher = await nextRefresh(15_000)
    const signer = [...tabs].find(([name]) => name !== refresher)!
    env.site.state.signedIn = false
    await signer[1].evaluate(() => window.keyway.session!.signOut())
    const signedOutAt = Date.now()
    env.site.state.holdMs = 0
    await sleep(4_000)

    const statuses: string[] = []
    for (const [name, page] of tabs) {
      await collect(name, page)
      statuses.push(await page.evaluate(() => window.keyway.session!.getSnapshot().status))
    }
    const beforeSignOut = samples.filter((s) => s.handedAt < signedOutAt)
    const handOuts: HandOut[] = beforeSignOut
      .filter((s) => s.tokenExp !== null)
      .map((s) => ({
        session: s.tab,
        at: s.handedAt,
        via: 'getToken',
        jti: undefined,
        remainingMs: s.tokenExp! - s.handedAt,
        ...(s.claimedExp === undefined ? {} : { overclaimMs: s.claimedExp - s.tokenExp! }),
      }))
    const tokensAfter = samples.filter(
      (s) => s.handedAt > signedOutAt + 1_000 && s.tokenExp !== null,
    ).length
    const calls = env.site.requests.filter((r) => r.at < signedOutAt).map((r) => r.at)
    const checks: Check[] = [
      { ...handOutFloor('tabs', LIFETIME_SEC * 1000, handOuts), session: 'tabs' },
      noOverclaim('tabs', handOuts),
      servedWhenFresh(waits, 1_000),
      originCalls(calls, LIFETIME_SEC * 1000, signedOutAt - started, forced),
      signedOutEverywhere(statuses, tokensAfter),
    ]
    const failed = report(
      `Chromium, ${TABS} tabs, ${LIFETIME_SEC} s tokens: ${samples.length} samples, ${env.site.requests.length} issuer calls`,
      checks,
    )
    expect(failed.map((c) => `${c.id} ${c.what} — ${c.figure}`)).toEqual([])
  } finally {
    env.site.state.signedIn = true
    env.site.state.holdMs = 0
    env.site.state.lateFirstMs = 0
    await context.close()
  }
}, 90_000)
