// Every packages/* is publishable: dist holds code, publint finds nothing (errors, warnings or
// suggestions), and attw finds no type-resolution problem in the tarball pnpm would publish
// (`pnpm pack`, so `workspace:` ranges are rewritten as they will be on npm).
//
// attw runs with `--profile esm-only`: every package is ESM-only by design (exports maps with
// `import` and no `require`), so a CommonJS `require()` has nothing to resolve. That profile
// skips exactly the node10 and node16-from-CJS resolutions; every ESM and bundler resolution
// is still checked, and any problem there fails. Run after `pnpm build`.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { ROOT } from '../support/resolve-entry.mjs'

const PACKS = join(ROOT, 'bench/.tmp/packs')
const ATTW = join(ROOT, 'node_modules/.bin/attw')
/** The resolutions attw's esm-only profile leaves out: CommonJS callers. */
const ESM_ONLY_IGNORES = ['node10', 'node16-cjs']

function distProblem(dir) {
  const file = join(dir, 'dist/index.js')
  try {
    return statSync(file).size === 0 ? 'dist/index.js is empty' : null
  } catch {
    return 'dist/index.js is missing (run pnpm build)'
  }
}

async function publintProblems(dir) {
  const { messages, pkg } = await publint({ pkgDir: dir, level: 'suggestion', pack: 'pnpm' })
  return messages.map((m) => `publint ${m.type}: ${formatMessage(m, pkg) ?? m.code}`)
}

function attwProblems(dir, name) {
  rmSync(PACKS, { recursive: true, force: true })
  mkdirSync(PACKS, { recursive: true })
  execFileSync('pnpm', ['pack', '--pack-destination', PACKS], { cwd: dir, stdio: 'ignore' })
  const tarball = join(
    PACKS,
    readdirSync(PACKS).find((f) => f.endsWith('.tgz')),
  )
  const run = spawnSync(ATTW, [tarball, '--profile', 'esm-only', '--format', 'json'], {
    encoding: 'utf8',
  })
  let report
  try {
    report = JSON.parse(run.stdout)
  } catch {
    return [`attw did not run on ${name}: ${run.stderr || run.stdout}`.trim()]
  }
  // The JSON lists every problem; the profile only decides which fail. Apply it the same way.
  const problems = (report.analysis?.problems ?? []).filter(
    (p) => !ESM_ONLY_IGNORES.includes(p.resolutionKind),
  )
  if (problems.length === 0 && run.status !== 0) return [`attw failed: ${run.stderr}`.trim()]
  return problems.map(
    (p) =>
      `attw ${p.kind}: ${p.entrypoint ?? ''} ${p.resolutionKind ?? ''} ${p.resolutionOption ?? ''}`,
  )
}

const packages = readdirSync(join(ROOT, 'packages')).filter((name) => {
  try {
    return statSync(join(ROOT, 'packages', name, 'package.json')).isFile()
  } catch {
    return false
  }
})

let failed = 0
for (const name of packages) {
  const dir = join(ROOT, 'packages', name)
  const missing = distProblem(dir)
  const problems = missing
    ? [missing]
    : [...(await publintProblems(dir)), ...attwProblems(dir, name)]
  if (problems.length > 0) failed++
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} @keyway/${name}`)
  for (const p of problems) console.log(`       ${p}`)
}
rmSync(PACKS, { recursive: true, force: true })
console.log(
  `publint + attw (esm-only): ${packages.length - failed} of ${packages.length} packages clean`,
)
process.exitCode = failed === 0 ? 0 : 1
