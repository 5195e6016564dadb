// `pnpm size` after the build: size-limit budgets (.size-limit.mjs) and the provider-name bleed
// check on core. Both always run, so one failure does not hide the other; the exit code is
// non-zero when any failed. publint and attw run in `pnpm release:check` (scripts/release), on
// the tarballs.

import { spawnSync } from 'node:child_process'
import { ROOT } from '../support/resolve-entry.mjs'

const steps = [
  ['size-limit', ['--import', './bench/size/node20.mjs', 'node_modules/size-limit/bin.js']],
  ['bleed check', ['bench/size/check-bleed.mjs']],
]

const failed = []
for (const [name, args] of steps) {
  console.log(`\n── ${name}`)
  const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' })
  if (run.status !== 0) failed.push(name)
}
console.log(
  failed.length === 0 ? '\nsize: all checks passed' : `\nsize: FAILED: ${failed.join(', ')}`,
)
process.exitCode = failed.length === 0 ? 0 : 1
