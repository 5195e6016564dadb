// The first step of `pnpm test`: everything the tests need that `pnpm install` does not bring.
// Prints one line naming what is missing and how to get it, and exits 1, before anything slow
// runs. Plain Node, no dependencies, so it runs on a machine where nothing else would.

import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { CHROMIUM } from './chromium.mjs'

const MIN_NODE = [20, 19]
const ROOT = new URL('../', import.meta.url)

/** A folder holding initdb and pg_ctl: KEYWAY_PG_BIN, PATH, or Debian's /usr/lib/postgresql. */
function postgresBin(env = process.env) {
  const has = (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))
  if (env.KEYWAY_PG_BIN) return has(env.KEYWAY_PG_BIN) ? env.KEYWAY_PG_BIN : null
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : []
  return [...(env.PATH ?? '').split(delimiter), ...debian].find((dir) => dir && has(dir)) ?? null
}

const [major, minor] = process.versions.node.split('.').map(Number)
const missing = []
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1]))
  missing.push(`Node ${MIN_NODE.join('.')} or newer (this is ${process.versions.node})`)
if (spawnSync('pnpm', ['--version']).status !== 0) missing.push('pnpm 10 (npm i -g pnpm@10)')
else if (!existsSync(new URL('node_modules/vitest/package.json', ROOT)))
  missing.push('the dependencies (pnpm install)')
if (!existsSync(CHROMIUM))
  missing.push(
    `Chromium at ${CHROMIUM} (apt-get install chromium, or set KEYWAY_CHROMIUM to a Chromium or Chrome binary)`,
  )
const pg = postgresBin()
if (!pg)
  missing.push(
    'PostgreSQL server binaries initdb and pg_ctl (apt-get install postgresql, or set KEYWAY_PG_BIN to their folder)',
  )

if (missing.length > 0) {
  console.error(`keyway tests need: ${missing.join('; ')}`)
  process.exit(1)
}
console.log(`prerequisites: Node ${process.versions.node}, Chromium ${CHROMIUM}, PostgreSQL ${pg}`)
