// `node scripts/release/fix-manifest.mjs [folder…]`: writes the fields check-manifest.mjs asks
// for into packages/<folder>/package.json (every package when none is named), so a new package
// starts from the rules instead of from a copy: licence, repository, engines, files, the build
// script, core as a peer, and exports with CommonJS types and a publishConfig twin without the
// source condition. Existing values of other fields stay as they are.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './packages.mjs'

const SOURCE = '@keyway/source'
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

/** `./dist/x.js` (or the old `{ types, import }` form) → the entry with CommonJS types. */
function entryOf(entry) {
  const js = entry.default ?? entry.import
  const base = js.replace(/\.js$/, '')
  return {
    [SOURCE]: entry[SOURCE],
    types: { require: `${base}.d.cts`, default: `${base}.d.ts` },
    default: js,
  }
}

function fix(folder) {
  const file = join(ROOT, 'packages', folder, 'package.json')
  const m = JSON.parse(readFileSync(file, 'utf8'))
  const exports = Object.fromEntries(
    Object.entries(m.exports ?? {}).map(([sub, entry]) => [sub, entryOf(entry)]),
  )
  const published = Object.fromEntries(
    Object.entries(exports).map(([sub, { [SOURCE]: _, ...rest }]) => [sub, rest]),
  )
  const isCore = m.name === '@keyway/core'
  const dependencies = { ...m.dependencies }
  delete dependencies['@keyway/core']
  const fixed = {
    name: m.name,
    version: m.version,
    description: m.description,
    license: 'MIT',
    repository: { ...root.repository, directory: `packages/${folder}` },
    homepage: `${root.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')}/tree/main/packages/${folder}#readme`,
    bugs: root.bugs,
    engines: { node: '>=20.19' },
    ...m,
    type: 'module',
    sideEffects: false,
    exports,
    files: ['dist', 'README.md', 'LICENSE'],
    scripts: { ...m.scripts, build: 'tsup && node ../../scripts/release/after-build.mjs' },
    ...(Object.keys(dependencies).length ? { dependencies } : {}),
    ...(isCore
      ? {}
      : {
          // core first, as in the hand-written manifests
          peerDependencies: { '@keyway/core': 'workspace:^', ...m.peerDependencies },
          devDependencies: { '@keyway/core': 'workspace:*', ...m.devDependencies },
        }),
    publishConfig: { access: 'public', exports: published },
  }
  if (!Object.keys(dependencies).length) delete fixed.dependencies
  fixed.license = 'MIT'
  fixed.repository = { ...root.repository, directory: `packages/${folder}` }
  fixed.bugs = root.bugs
  fixed.engines = { node: '>=20.19' }
  writeFileSync(file, `${JSON.stringify(fixed, null, 2)}\n`)
}

const folders = process.argv.slice(2)
for (const folder of folders.length
  ? folders
  : readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name))
  fix(folder)
