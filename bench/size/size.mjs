// `pnpm size` after the build: size-limit budgets (.size-limit.mjs), the provider-name bleed
// check on core, and publint + attw on every package. All three always run, so one failure does
// not hide another; the exit code is non-zero when any failed.

import { spawnSync } from 'node:child_process'
import { ROOT } from '../support/resolve-entry.mjs'

const steps = [
  ['size-limit', ['--import', './bench/size/node20.mjs', 'node_modules/size-limit/bin.js']],
  ['bleed check', ['bench/size/check-bleed.mjs']],
  ['publint + attw', ['bench/size/check-packages.mjs']],
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
