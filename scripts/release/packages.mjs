// The publishable packages, found by globbing packages/* (a new package is covered the day it
// lands), and their tarballs as `pnpm pack` makes them: `workspace:` ranges rewritten and
// `publishConfig` applied, exactly what `changeset publish` uploads.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * @typedef {{ folder: string, dir: string, name: string, manifest: Record<string, any> }} WorkspacePackage
 */

/** Every packages/<folder> with a package.json that is not private. @returns {WorkspacePackage[]} */
export function listPackages() {
  return readdirSync(join(ROOT, 'packages'))
    .sort()
    .map((folder) => ({ folder, dir: join(ROOT, 'packages', folder) }))
    .filter(({ dir }) => existsSync(join(dir, 'package.json')))
    .map(({ folder, dir }) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      return { folder, dir, name: manifest.name, manifest }
    })
    .filter(({ manifest }) => !manifest.private)
}

/**
 * Packs every package into `dest` (emptied first) with one `pnpm -r pack`. Needs `pnpm build`
 * before. @returns {(WorkspacePackage & { tarball: string, bytes: number })[]}
 */
export function packAll(dest) {
  rmSync(dest, { recursive: true, force: true })
  mkdirSync(dest, { recursive: true })
  execFileSync('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', dest], {
    cwd: ROOT,
    stdio: 'ignore',
  })
  return listPackages().map((pkg) => {
    // pnpm names a tarball <scope>-<name>-<version>.tgz.
    const tarball = join(
      dest,
      `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.manifest.version}.tgz`,
    )
    if (!existsSync(tarball)) throw new Error(`pnpm pack made no ${tarball}`)
    return { ...pkg, tarball, bytes: statSync(tarball).size }
  })
}
