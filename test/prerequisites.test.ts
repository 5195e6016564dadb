import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const script = fileURLToPath(new URL('../scripts/prerequisites.mjs', import.meta.url))
const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, [script], { env: { ...process.env, ...env }, encoding: 'utf8' })

it('the prerequisites check names a missing browser and PostgreSQL in one line, exit 1', () => {
  const result = run({ KEYWAY_CHROMIUM: '/nonexistent/chromium', KEYWAY_PG_BIN: '/nonexistent' })
  expect(result.status).toBe(1)
  expect(result.stdout).toBe('')
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(
    /^keyway tests need: Chromium at \/nonexistent\/chromium \(apt-get install chromium, or set KEYWAY_CHROMIUM/,
  )
  expect(lines[0]).toContain(
    'PostgreSQL server binaries initdb and pg_ctl (apt-get install postgresql',
  )
})

it('the prerequisites check passes on this machine and says what it found', () => {
  const result = run({})
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  expect(result.stdout).toMatch(
    /^prerequisites: Node \d+\.\d+\.\d+, Chromium \S+, PostgreSQL \S+\n$/,
  )
})
