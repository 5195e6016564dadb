// The numbers behind the "Size" section of bench/results.md, printed as JSON on stdout.
// Everything is min+gzip of a full import, made the same way as .size-limit.mjs. Needs dist.

import { join } from 'node:path'
import { findBleed } from './check-bleed.mjs'
import { coreBreakdown } from './core-breakdown.mjs'
import { browserEntry, CORE_BUDGET, distEntry, gzipSizeOf, ROOT, SPOKES } from './measure.mjs'

const CORE = join(ROOT, 'packages/core/dist/index.js')

/** The provider SDKs keyway sits on, resolved from the package that depends on each. */
const COMPARED = [
  {
    sdk: '@supabase/auth-js',
    from: 'packages/supabase',
    via: ['@supabase/supabase-js'],
    spoke: 'supabase',
  },
  { sdk: 'firebase/auth', from: 'packages/firebase', via: [], spoke: 'firebase' },
  { sdk: 'oidc-client-ts', from: 'packages/oidc', via: [], spoke: 'oidc' },
  { sdk: '@auth0/auth0-spa-js', from: 'packages/auth0', via: [], spoke: 'auth0' },
]

const core = await gzipSizeOf([CORE])
const spokes = []
for (const s of SPOKES) {
  const { file, state } = distEntry(s.name)
  if (state === 'missing') {
    spokes.push({ ...s, state })
    continue
  }
  const withCore = await gzipSizeOf([CORE, file], s.external)
  const coreExternal = await gzipSizeOf([file], ['@keyway/core', ...s.external])
  const overCore = withCore - core
  spokes.push({ ...s, state, overCore, coreExternal, withinBudget: overCore <= s.budget })
}

// How much of @keyway/browser is idb: the same measure with idb left out.
const browser = distEntry('browser')
const idbShare =
  browser.state === 'ok'
    ? (await gzipSizeOf([CORE, browser.file])) - (await gzipSizeOf([CORE, browser.file], ['idb']))
    : null

const comparison = []
for (const c of COMPARED) {
  const { file, version } = browserEntry(c.sdk, c.from, c.via)
  const size = await gzipSizeOf([file])
  const spoke = spokes.find((s) => s.name === c.spoke)
  comparison.push({
    sdk: c.sdk,
    version,
    size,
    spoke: c.spoke,
    spokeState: spoke.state,
    overCore: spoke.overCore,
  })
}

const { modules, options, rulesOnly } = await coreBreakdown()
const bleed = await findBleed()

console.log(
  JSON.stringify({
    core,
    coreBudget: CORE_BUDGET,
    spokes,
    idbShare,
    comparison,
    modules,
    options,
    rulesOnly,
    bleed,
  }),
)
