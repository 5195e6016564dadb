// Size budgets, min+gzip, for `pnpm size` (which builds first: these read packages/*/dist).
//
// Every check is a full import (`import * as x`), so nothing is tree-shaken away.
//
// "Over core" = the package bundled WITH all of @keyway/core, minus core alone: each spoke
// check's limit is core's measured size plus the spoke's budget. That is what the spoke costs an
// app that already ships core (shared gzip context, one copy of the module wrapper). Marking
// core external instead would charge each spoke ~130 B of `import *` namespace boilerplate and
// its re-import statements, which no app pays; bench/results.md shows both ways. Provider SDKs
// are external: the app ships them with or without keyway. The budgets live in
// bench/size/measure.mjs (CORE_BUDGET, SPOKES), shared with the bench report.
//
// Budgets NOT met, and what the limits below hold instead (each guards against growth; the
// goals stay written here so nobody mistakes the limit for the goal):
// - @keyway/core, goal 4 kB, and 5.8 kB allowed for session engine v2 (issue 11): measured
//   7.245 kB (1 kB = 1000 B here), limit 7.25 kB. v1 was 5.49 kB. (7.03 kB before the three
//   fixes the 100,000-sequence model run found: tokens read on the monotonic clock across a
//   wall-clock jump, a cached token on a forced call kept out of the clock estimate, no call
//   from a fetch dropped while it waited for the lock: +90 B; then +7 B for the last call to
//   subscribers at dispose and +61 B for the 'scheduled' event and re-arming the timer for a
//   stricter consumer; then +49 B for telling an inspector added late the held token's point
//   and forgetting an expired strict ask before comparing a new one; then +20 B for settling
//   calls under way at dispose() with ERR_DISPOSED, and +7 B for sending the late inspector's
//   event through the one dispatch.) v2 adds what the real-clock
//   chaos suite showed missing: shared rejection answers and the rejection chain, a failure
//   budget apart from healthy calls, Retry-After for every call, bounds on the issuer clock,
//   per-consumer validity, one credentials shape, `peek`, `inspect` events, `initialCredentials`,
//   and one file per behaviour around a state record (fields mangled: +0 B for names). The
//   engine's rules alone (no messages, log lines, inspect events, storage, cross-tab or
//   authFetch: bench/size/core-breakdown.mjs) weigh 5.77 kB, so 5.8 kB cannot hold them and
//   what users and the issue's own points need beside them; issue 11 is blocked on that
//   decision (bench/results.md has the breakdown). The limit guards against growth meanwhile.
// @keyway/browser meets its 2.5 kB (idb 1.1 kB of it) since the device key store moved to
// `@keyway/browser/anonymous`.

import {
  CORE_BUDGET,
  distEntry,
  fullImportEntry,
  gzipSizeOf,
  ROOT,
  SPOKES,
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
  {
    name: '@keyway/core (full import)',
    import: { [CORE]: '*' },
    gzip: true,
    limit: `${CORE_BUDGET.limit} B`,
  },
  {
    name: '@keyway/core/anonymous (full import)',
    import: { 'packages/core/dist/anonymous.js': '*' },
    gzip: true,
  },
  // Informational: what an app that only creates a session keeps after tree-shaking.
  { name: '@keyway/core { createSession }', import: { [CORE]: '{ createSession }' }, gzip: true },
  ...SPOKES.map((s) => spoke(s.name, s.budget, s.external)),
  // Informational: the devtools panel, an import for development (core external: the app has
  // it); measured 5.78 kB. In a production build `@keyway/devtools` resolves to dist/noop.js
  // instead: 295 B as a full import, a few bytes once tree-shaken.
  {
    name: '@keyway/devtools (full import, core external)',
    import: { 'packages/devtools/dist/index.js': '*' },
    ignore: ['@keyway/core'],
    gzip: true,
  },
  {
    name: '@keyway/devtools in production (noop.js)',
    import: { 'packages/devtools/dist/noop.js': '*' },
    gzip: true,
  },
]
