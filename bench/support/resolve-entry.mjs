// Finds a third-party package the way Node or a bundler would from the workspace package that
// depends on it, so bench/ needs no dependencies (and no lockfile entry) of its own.

import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export const NODE_CONDITIONS = ['node', 'import', 'module', 'default']
export const BROWSER_CONDITIONS = ['browser', 'import', 'module', 'default']

/** The directory of package `name` as Node would find it from `fromDir` (pnpm symlinks followed). */
export function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
    if (dirname(dir) === dir) throw new Error(`${name} is not installed above ${fromDir}`)
  }
}

function pick(target, conditions) {
  if (typeof target === 'string') return target
  if (Array.isArray(target)) return pick(target[0], conditions)
  if (target && typeof target === 'object')
    // Exports objects are matched in their own key order, as Node and bundlers do.
    for (const [condition, value] of Object.entries(target))
      if (conditions.includes(condition)) {
        const picked = pick(value, conditions)
        if (picked) return picked
      }
  return undefined
}

/**
 * The file `specifier` (e.g. `firebase/auth`) loads when imported from the workspace folder
 * `from` (relative to the repo root). `via` lists packages to step through first (a dependency
 * of a dependency under pnpm).
 */
export function resolveEntry(specifier, from, { conditions = NODE_CONDITIONS, via = [] } = {}) {
  let dir = join(ROOT, from)
  for (const hop of via) dir = packageDir(hop, dir)
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  const subpath = `.${specifier.slice(name.length)}`
  const pkgDir = packageDir(name, dir)
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
  let target
  if (pkg.exports) {
    const sugar = typeof pkg.exports === 'string' || !Object.keys(pkg.exports)[0]?.startsWith('.')
    target = pick(
      sugar ? (subpath === '.' ? pkg.exports : undefined) : pkg.exports[subpath],
      conditions,
    )
  } else {
    target = subpath === '.' ? (pkg.module ?? pkg.main ?? 'index.js') : subpath
  }
  if (!target) throw new Error(`no entry for ${specifier} (${conditions.join(', ')}) in ${pkgDir}`)
  return { file: join(pkgDir, target), version: pkg.version }
}

/** `import()` of a package as seen from workspace folder `from`. */
export function importFrom(specifier, from, options) {
  return import(pathToFileURL(resolveEntry(specifier, from, options).file).href)
}
