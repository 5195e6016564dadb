import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))

describe('pnpm demo -- --smoke', () => {
  it('drives the web demo in Chromium: guest note, sign-up keeps it, a refresh, a 401 recovered, the devtools panel', () => {
    const started = Date.now()
    const run = spawnSync(
      process.execPath,
      ['--conditions=@keyway/source', '--import', 'tsx', 'examples/server/src/main.ts', '--smoke'],
      { cwd: root, encoding: 'utf8', timeout: 150_000 },
    )
    expect(run.status, run.stderr).toBe(0)
    for (const step of [
      'a visitor starts anonymous',
      'the guest writes a note at once',
      'a 401 was recovered with a fresh token',
      'sign-up upgraded the guest and the note is still there',
      'a proactive refresh happened before expiry',
      'two tabs shared one refresh (one fetch, the other tab took its token)',
      '"expire now" brought a new token at once; an offline span is drawn',
      'the panel\'s "Simulate 401" brought a new token',
    ])
      expect(run.stdout).toContain(step)
    for (const name of ['demo.png', 'devtools-panel.png', 'devtools-two-tabs.png']) {
      const shot = `${root}.artifacts/${name}`
      expect(existsSync(shot)).toBe(true)
      expect(statSync(shot).mtimeMs).toBeGreaterThan(started)
    }
  }, 180_000)
})
