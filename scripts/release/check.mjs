// `pnpm release:check` (after `pnpm build`): packs every packages/* with `pnpm pack` and checks
// each package and its tarball. Any problem fails the run; every package is checked, so one
// failure does not hide another.
//
// - package.json: the fields in check-manifest.mjs (licence, repository, engines, exports, peers)
// - README.md: check-readme.mjs
// - tarball: only dist, README.md, LICENSE, package.json; published exports without the source
//   condition, every target shipped, no workspace: range left (check-tarball.mjs)
// - every export resolves in Node with `import` and with `require`, from an app's node_modules
// - types resolve for a TypeScript app under bundler, node16 and nodenext, ESM and CommonJS
// - publint (suggestions too) and attw, on the tarball
//
// attw runs with its `esm-only` profile, which leaves out node10 and node16-from-CommonJS. The
// JavaScript is ESM only on purpose and reaches CommonJS through Node's require(esm) (Node
// ≥ 20.19), which attw 0.18 does not model: it would call the `.d.cts` types "masquerading as
// CJS". That path is checked here instead, by the TypeScript check in CommonJS files and by
// Node's `require.resolve`, and end to end by the consumer test (scripts/release/consumer.mjs).
//
// Writes .artifacts/tarballs/report.json: each tarball's size and files.

import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { manifestProblems } from './check-manifest.mjs'
import { readmeProblems } from './check-readme.mjs'
import {
  contentProblems,
  nodeResolutionProblems,
  publishedManifest,
  specifiers,
  tarballFiles,
  typeResolutionProblems,
  unpackAll,
} from './check-tarball.mjs'
import { listPackages, packAll, ROOT } from './packages.mjs'

const TARBALLS = join(ROOT, '.artifacts/tarballs')
const ATTW_SKIPPED = ['node10', 'node16-cjs']
// attw's engine, in this process (one TypeScript load for all packages), found through its CLI.
const attw = await import(
  pathToFileURL(
    createRequire(
      realpathSync(join(ROOT, 'node_modules/@arethetypeswrong/cli/package.json')),
    ).resolve('@arethetypeswrong/core'),
  ).href
)

async function publintProblems(tarball) {
  const bytes = readFileSync(tarball)
  const { messages, pkg } = await publint({
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    level: 'suggestion',
  })
  return messages.map((m) => `publint ${m.type}: ${formatMessage(m, pkg) ?? m.code}`)
}

/**
 * attw on the tarball, with the esm-only profile. FalseCJS on a `.d.cts` is the require(esm)
 * design itself (CommonJS types over ESM JavaScript, see above), not a problem.
 */
async function attwProblems(tarball) {
  const result = await attw.checkPackage(attw.createPackageFromTarballData(readFileSync(tarball)))
  if (result.types === false) return ['attw: the package ships no types']
  return result.problems
    .filter((p) => !ATTW_SKIPPED.includes(p.resolutionKind))
    .filter((p) => !(p.kind === 'FalseCJS' && p.typesFileName.endsWith('.d.cts')))
    .map(
      (p) => `attw ${p.kind}: ${p.entrypoint ?? p.typesFileName ?? ''} ${p.resolutionKind ?? ''}`,
    )
}

const sourceProblems = new Map(
  listPackages().map((pkg) => [pkg.name, [...manifestProblems(pkg), ...readmeProblems(pkg)]]),
)
const packs = packAll(TARBALLS)
const app = mkdtempSync(join(tmpdir(), 'keyway-release-check-'))
unpackAll(packs, app)

const allSpecs = packs.flatMap((p) => specifiers(publishedManifest(app, p.name)))
const runtime = nodeResolutionProblems(app, allSpecs)
const types = typeResolutionProblems(app, allSpecs)

const kB = (bytes) => (bytes / 1000).toFixed(1).padStart(5)
const report = []
let failed = 0
for (const pack of packs) {
  const files = tarballFiles(pack.tarball)
  const manifest = publishedManifest(app, pack.name)
  const specs = specifiers(manifest)
  const problems = [
    ...sourceProblems.get(pack.name),
    ...contentProblems(files, manifest),
    ...runtime.filter(([s]) => specs.includes(s)).map(([, p]) => p),
    ...specs.flatMap((s) => types.get(s) ?? []),
    ...(await publintProblems(pack.tarball)),
    ...(await attwProblems(pack.tarball)),
  ]
  if (problems.length > 0) failed++
  const unpacked = files.reduce(
    (n, f) => n + statSync(join(app, 'node_modules', pack.name, f)).size,
    0,
  )
  report.push({ name: pack.name, bytes: pack.bytes, unpacked, files, problems })
  console.log(
    `${problems.length === 0 ? 'ok  ' : 'FAIL'} ${pack.name.padEnd(22)} ${kB(pack.bytes)} kB packed, ${kB(unpacked)} kB unpacked, ${files.length} files: ${files.join(' ')}`,
  )
  for (const p of problems) console.log(`       ${p}`)
}
rmSync(app, { recursive: true, force: true })
writeFileSync(join(TARBALLS, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
console.log(
  `release check: ${packs.length - failed} of ${packs.length} packages ready to publish (tarballs in .artifacts/tarballs)`,
)
process.exitCode = failed === 0 ? 0 : 1
