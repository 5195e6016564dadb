import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

describe('pnpm demo:tour --smoke', () => {
  it('drives a session through every step against real local servers and exits 0', () => {
    const run = spawnSync(
      process.execPath,
      ['--conditions=@keyway/source', '--import', 'tsx', 'src/main.ts', '--smoke'],
      { cwd: root, encoding: 'utf8', timeout: 90_000 },
    )
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    for (const step of [
      'initial fetch: authenticated',
      'API verified the token',
      'two proactive refreshes',
      'forced 401 recovered',
      'outage survived',
      'signed out',
      'all 6 steps happened',
    ])
      expect(run.stdout).toContain(step)
    // The tour prints state, never a token.
    expect(run.stdout).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/)
  }, 120_000)
})
