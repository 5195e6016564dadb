// Size measurement shared by .size-limit.mjs, the bleed check and the Size section of
// bench/results.md: one bundler (rolldown, through size-limit's own plugins), minified, gzip -9,
// so every number in the report is made the same way as the budgets.

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import preset from '@size-limit/preset-small-lib'
import sizeLimit from 'size-limit'
import { BROWSER_CONDITIONS, ROOT, resolveEntry } from '../support/resolve-entry.mjs'

export { ROOT }

/** Where each connector's provider SDK comes from: kept external, as the app ships it anyway. */
export const PROVIDER_SDKS = {
  http: [],
  firebase: ['firebase', '@firebase'],
  supabase: ['@supabase'],
  clerk: ['@clerk'],
  workos: ['@workos-inc'],
  auth0: ['@auth0'],
  'better-auth': ['better-auth', '@better-auth', '@better-fetch', 'nanostores'],
  oidc: ['oidc-client-ts'],
  cognito: ['@aws-amplify'],
  stytch: ['@stytch'],
  descope: ['@descope'],
  supertokens: ['supertokens-web-js', 'supertokens-website'],
  propelauth: ['@propelauth'],
  'stack-auth': ['@stackframe'],
  keycloak: ['keycloak-js'],
  entra: ['@azure'],
}

/** `packages/<name>/dist/index.js`, and whether it holds any code. */
export function distEntry(name) {
  const file = join(ROOT, 'packages', name, 'dist', 'index.js')
  const state = !existsSync(file) ? 'missing' : statSync(file).size === 0 ? 'empty' : 'ok'
  return { file, state }
}

/**
 * An entry module that imports every file in full (`import * as`) and keeps all of it alive.
 * size-limit's own `import` option cannot take two `'*'` imports in one check.
 */
export function fullImportEntry(name, files) {
  if (files.length === 1) return files[0]
  const dir = join(ROOT, 'bench/.tmp/size-entries')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name.replace(/[^\w-]+/g, '_')}.js`)
  const lines = files.map((f, i) => `import * as m${i} from ${JSON.stringify(f)}`)
  writeFileSync(
    file,
    `${lines.join('\n')}\nexport { ${files.map((_, i) => `m${i}`).join(', ')} }\n`,
  )
  return file
}

/**
 * Min+gzip bytes of a full import (`import * as x`: nothing can be tree-shaken) of every file,
 * with `external` package names left out of the bundle. Same arithmetic as the size-limit CLI
 * (it subtracts rolldown's empty-project overhead).
 */
export async function gzipSizeOf(files, external = []) {
  const entry = fullImportEntry(files.join('+').slice(-80), files)
  return gzipSizeOfImports({ [entry]: '*' }, external)
}

/** Like gzipSizeOf, for named imports: `{ file: '{ createSession }' }`. */
export async function gzipSizeOfImports(imports, external = []) {
  const [result] = await sizeLimit(preset, {
    checks: [{ files: [], import: imports, ignore: external, gzip: true }],
  })
  return result.size
}

/** The browser ESM file of a third-party package, found from the workspace folder using it. */
export function browserEntry(specifier, from, via = []) {
  return resolveEntry(specifier, from, { conditions: BROWSER_CONDITIONS, via })
}

/** esbuild, from the test package that depends on it (the bench reads its metafile only). */
export function loadEsbuild() {
  return createRequire(join(ROOT, 'test', 'package.json'))('esbuild')
}
