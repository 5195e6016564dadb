import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS } from '../../../scripts/chromium.mjs'

/**
 * Drives the demo page in Chromium: write a note as a guest, sign up, the note is still
 * there, a proactive refresh happened, a simulated 401 recovers. Saves a screenshot.
 */
export async function runSmoke(url: string): Promise<void> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM} (apt-get install chromium, or set KEYWAY_CHROMIUM)`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  })
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } })
    const step = (line: string) => console.log(`✔ ${line}`)
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
      await page.getByTestId('status').filter({ hasText: 'anonymous' }).waitFor()
      step('a visitor starts anonymous')

      await page.getByPlaceholder('Write a note').fill('written as a guest')
      await page.getByRole('button', { name: 'Add' }).click()
      await page.getByTestId('notes').getByText('written as a guest').waitFor()
      step('the guest writes a note at once')

      const signup = page.getByTestId('signup')
      await signup.getByPlaceholder('email').fill(`smoke-${Date.now()}@keyway.test`)
      await signup.getByPlaceholder('password (8+)').fill('correct horse battery')
      await signup.getByRole('button', { name: 'Sign up' }).click()
      await page.getByTestId('status').filter({ hasText: 'authenticated' }).waitFor()
      await page
        .getByTestId('log')
        .getByText(/upgrade (promoted|linked_existing)/)
        .waitFor({ timeout: 15_000 })
      await page.getByTestId('notes').getByText('written as a guest').waitFor()
      step('sign-up upgraded the guest and the note is still there')

      const fetchesOf = async () =>
        Number((await page.getByTestId('fetches').textContent())?.split(' ')[0])
      const before = await fetchesOf()
      await page.waitForFunction(
        (n) =>
          Number(document.querySelector('[data-testid=fetches]')?.textContent?.split(' ')[0]) > n,
        before,
        { timeout: 20_000 },
      )
      step('a proactive refresh happened before expiry')

      await page.getByRole('button', { name: 'Simulate 401' }).click()
      await page
        .getByTestId('log')
        .getByText(/retried → 200/)
        .waitFor()
      step('a 401 was recovered with a fresh token')

      const dir = fileURLToPath(new URL('../../../.artifacts/', import.meta.url))
      mkdirSync(dir, { recursive: true })
      await page.screenshot({ path: `${dir}demo.png`, fullPage: true })
      step(`screenshot: .artifacts/demo.png`)
    }
  } finally {
    await browser.close()
  }
}
