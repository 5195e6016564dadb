import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS } from '../../../scripts/chromium.mjs'

/**
 * Drives the demo page in Chromium: write a note as a guest, sign up, the note is still
 * there, a proactive refresh happened, a 401 recovers (from the API and from the devtools
 * panel), and a second tab shares a refresh. Saves screenshots of the page and the panel.
 */
export async function runSmoke(url: string): Promise<void> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM} (apt-get install chromium, or set KEYWAY_CHROMIUM)`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  })
  try {
    // One context for both tabs: they share storage, locks and BroadcastChannel.
    const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } })
    const page = await context.newPage()
    const began = Date.now()
    const step = (line: string) =>
      console.log(`✔ ${line} (+${((Date.now() - began) / 1000).toFixed(1)} s)`)
    const pageLog: string[] = []
    page.on('console', (m) => pageLog.push(`${m.type()}: ${m.text()}`))
    page.on('pageerror', (e) => pageLog.push(`pageerror: ${e.message}`))
    await page.goto(url)
    try {
      await steps()
    } catch (error) {
      console.error(pageLog.slice(-20).join('\n'))
      throw error
    }
    async function steps() {
      const panel = page.locator('[data-keyway-devtools]')
      const mine = panel.locator('.strip[data-this-tab]')
      await page.getByTestId('status').filter({ hasText: 'anonymous' }).waitFor()
      // Guest tokens live 30 s (so a guest sees a refresh), and no refresh is claimed yet.
      await panel
        .locator('[data-part=left]')
        .getByText(/of 30\.0 s/)
        .waitFor()
      if ((await page.getByTestId('hint').textContent())?.startsWith('Refreshed'))
        throw new Error('the hint claims a refresh before one happened')
      step('a visitor starts anonymous')

      await page.getByLabel('New note').fill('written as a guest')
      await page.getByRole('button', { name: 'Add' }).click()
      await page.getByTestId('notes').getByText('written as a guest').waitFor()
      step('the guest writes a note at once')

      // A 401 from the data API (as the guest): authFetch reports it, keyway fetches anew and
      // retries.
      await page.getByRole('button', { name: 'Call the API with a revoked token' }).click()
      await page
        .getByTestId('message')
        .getByText(/retried → 200/)
        .waitFor()
      step('a 401 was recovered with a fresh token')

      const rejected = await mine.locator('[data-kind=token][data-reason=rejected]').count()
      await panel.getByRole('button', { name: 'Simulate 401', exact: true }).click()
      await mine.locator('[data-kind=token][data-reason=rejected]').nth(rejected).waitFor()
      step('the panel\'s "Simulate 401" brought a new token')

      const email = `smoke-${Date.now()}@keyway.test`
      const signup = page.getByTestId('signup')
      await signup.getByLabel('Email').fill(email)
      await signup.getByLabel('Password').fill('correct horse battery')
      await signup.getByRole('button', { name: 'Sign up' }).click()
      await page.getByTestId('status').filter({ hasText: 'authenticated' }).waitFor()
      await page
        .getByTestId('upgrade')
        .getByText(/upgrade (promoted|linked_existing)/)
        .waitFor({ timeout: 15_000 })
      await page.getByTestId('notes').getByText('written as a guest').waitFor()
      if ((await page.getByTestId('notes').textContent())?.includes('as guest'))
        throw new Error('the notes still say "(as guest)" after the upgrade')
      await page.getByTestId('user').getByText(email).waitFor()
      step('sign-up upgraded the guest and the note is still there')

      await mine
        .locator('[data-kind=fetch][data-reason=proactive]')
        .first()
        .waitFor({ timeout: 20_000 })
      await page
        .getByTestId('hint')
        .getByText(/^Refreshed before expiry/)
        .waitFor()
      step('a proactive refresh happened before expiry')

      const dir = fileURLToPath(new URL('../../../.artifacts/', import.meta.url))
      mkdirSync(dir, { recursive: true })
      await page.screenshot({ path: `${dir}demo.png`, fullPage: true })
      await panel.screenshot({ path: `${dir}devtools-panel.png` })

      // A second tab: the next refresh is one fetch in one tab, and the token "from tab" in the other.
      const second = await context.newPage()
      await second.goto(url)
      const opened = Date.now()
      await second.getByTestId('status').filter({ hasText: 'authenticated' }).waitFor()
      await panel
        .locator('.strip:not([data-this-tab]) [data-kind=token]')
        .first()
        .waitFor({ timeout: 15_000 })
      await page.waitForFunction(
        (since) => {
          const root = document.querySelector('[data-keyway-devtools]')?.shadowRoot
          const taken = root?.querySelectorAll<HTMLElement>('[data-kind=token][data-from=tab]')
          return [...(taken ?? [])].some((t) => Number(t.dataset.start) > since)
        },
        opened,
        { timeout: 30_000 },
      )
      step('two tabs shared one refresh (one fetch, the other tab took its token)')

      // A new token in this tab right after "expire now": fetched (reason wake), or from a
      // refresh already under way, or another tab's.
      const expired = await page.evaluate(() => Date.now())
      await panel.getByRole('button', { name: 'Expire now' }).click()
      await page.waitForFunction(
        (since) => {
          const root = document.querySelector('[data-keyway-devtools]')?.shadowRoot
          const bars = root?.querySelectorAll<HTMLElement>(
            '.strip[data-this-tab] [data-kind=token]',
          )
          return [...(bars ?? [])].some((t) => Number(t.dataset.start) >= since)
        },
        expired,
        { timeout: 5_000 },
      )
      await panel.getByRole('button', { name: 'Go offline' }).click()
      await page.waitForTimeout(1_500)
      await panel.getByRole('button', { name: 'Go online' }).click()
      await mine.locator('[data-kind=offline]').waitFor()
      step('"expire now" brought a new token at once; an offline span is drawn')

      await page.waitForTimeout(500)
      await panel.screenshot({ path: `${dir}devtools-two-tabs.png` })
      step('screenshots: .artifacts/demo.png, devtools-panel.png, devtools-two-tabs.png')
    }
  } finally {
    await browser.close()
  }
}
