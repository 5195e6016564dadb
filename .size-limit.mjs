// Size budgets, min+gzip, for `pnpm size` (which builds first: these read packages/*/dist).
//
// Every check is a full import (`import * as x`), so nothing is tree-shaken away.
//
// "Over core" = the package bundled WITH all of @keyway/core, minus core alone: each spoke
// check's limit is core's measured size plus the spoke's budget. That is what the spoke costs an
// app that already ships core (shared gzip context, one copy of the module wrapper). Marking
// core external instead would charge each spoke ~130 B of `import *` namespace boilerplate and
// its re-import statements, which no app pays; bench/results.md shows both ways. Provider SDKs
// are external: the app ships them with or without keyway. idb is bundled into
// @keyway/browser: it is that package's own dependency.
//
// Budgets NOT met, and what the limits below hold instead (each guards against growth; the
// goals stay written here so nobody mistakes the limit for the goal):
// - @keyway/core, goal 4 kB: measured 5.49 kB (1 kB = 1000 B here), limit 5.5 kB. The guest
//   identity lives in `@keyway/core/anonymous`, and the session engine is one closure (a class
//   with private fields was 6.6 kB). The floor in bench/results.md, core with every error
//   message and log line emptied, is still 4.86 kB: 4 kB means dropping behaviour the design
//   asks for, not wording or another split.
// @keyway/browser meets its 2.5 kB (idb 1.1 kB of it) since the device key store moved to
// `@keyway/browser/anonymous`.

import {
  distEntry,
  fullImportEntry,
  gzipSizeOf,
  PROVIDER_SDKS,
  ROOT,
} from './bench/size/measure.mjs'

const CORE = 'packages/core/dist/index.js'
const coreGz = await gzipSizeOf([`${ROOT}${CORE}`])

/** A package whose dist is missing or empty would "pass" at 0 B: say so in the check's name. */
function entry(name) {
  const { state } = distEntry(name)
  return { file: `packages/${name}/dist/index.js`, flag: state === 'ok' ? '' : ` (dist ${state})` }
}

/** Budget `overCore` bytes on top of core: the check measures core + spoke together. */
function spoke(name, overCore, external) {
  const { file, flag } = entry(name)
  const both = fullImportEntry(`${name}-with-core`, [`${ROOT}${CORE}`, `${ROOT}${file}`])
  return {
    name: `@keyway/${name} + core: limit core ${coreGz} B + ${overCore} B${flag}`,
    import: { [both]: '*' },
    ignore: external,
    gzip: true,
    limit: `${coreGz + overCore} B`,
  }
}

export default [
  { name: '@keyway/core (full import)', import: { [CORE]: '*' }, gzip: true, limit: '5.5 kB' },
  {
    name: '@keyway/core/anonymous (full import)',
    import: { 'packages/core/dist/anonymous.js': '*' },
    gzip: true,
  },
  // Informational: what an app that only creates a session keeps after tree-shaking.
  { name: '@keyway/core { createSession }', import: { [CORE]: '{ createSession }' }, gzip: true },
  ...Object.entries(PROVIDER_SDKS).map(([name, sdk]) => spoke(name, 1000, sdk)),
  spoke('react', 1000, ['react', 'react-dom']),
  // Sync engine adapters: the engine's client is external (the app ships it anyway).
  spoke('hocuspocus', 1000, ['@hocuspocus', 'yjs']),
  spoke('zero', 1000, ['@rocicorp']),
  spoke('neon', 1000, ['@neondatabase']),
  spoke('browser', 2500, []),
]
