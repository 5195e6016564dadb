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

/**
 * @keyway/core's size (min+gzip of the full import, bytes): the design's goal, what session
 * engine v2 (issue 11) allows, and the limit `pnpm size` holds meanwhile against growth.
 */
export const CORE_BUDGET = { goal: 4000, allowed: 5800, limit: 7250 }

/**
 * Every spoke's budget "over core" (bytes) and what stays external (the app's own SDK or
 * engine client). Read by `.size-limit.mjs` (the checks) and the bench report (the table).
 */
export const SPOKES = [
  ...Object.entries(PROVIDER_SDKS).map(([name, external]) => ({ name, budget: 1000, external })),
  { name: 'react', budget: 1000, external: ['react', 'react-dom'] },
  // Sync engine adapters: the engine's client is the app's.
  { name: 'convex', budget: 1000, external: ['convex'] },
  { name: 'electric', budget: 1000, external: ['@electric-sql'] },
  { name: 'powersync', budget: 1000, external: ['@powersync'] },
  { name: 'hocuspocus', budget: 1000, external: ['@hocuspocus', 'yjs'] },
  { name: 'zero', budget: 1000, external: ['@rocicorp'] },
  { name: 'neon', budget: 1000, external: ['@neondatabase'] },
  // idb is bundled into @keyway/browser: it is that package's own dependency.
  { name: 'browser', budget: 2500, external: [] },
]

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
