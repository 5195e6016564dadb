// Core names no provider: bundles @keyway/core's entries from dist (what an app ships) and
// fails when any provider name appears in them, case-insensitive. `pnpm build` first.

import { join } from 'node:path'
import { loadEsbuild, ROOT } from './measure.mjs'

export const PROVIDER_NAMES = [
  'supabase',
  'gotrue',
  'firebase',
  'clerk',
  'workos',
  'authkit',
  'auth0',
  'better-auth',
  'betterauth',
  'better_auth',
  'okta',
  'cognito',
  'keycloak',
  'google',
  'azure',
  'microsoft',
  'powersync',
  'convex',
  'descope',
  'stytch',
  'kinde',
  'zitadel',
  'logto',
  'appwrite',
  'instantdb',
]

/** Every provider name found in core's bundles, with a little context for each hit. */
export async function findBleed() {
  const { build } = loadEsbuild()
  const hits = []
  for (const entry of ['index.js', 'testing.js', 'testing-vitest.js']) {
    const result = await build({
      entryPoints: [join(ROOT, 'packages/core/dist', entry)],
      bundle: true,
      format: 'esm',
      write: false,
      // vitest is the testing entry's optional peer, not core's code.
      external: ['vitest'],
    })
    const text = result.outputFiles[0].text
    const lower = text.toLowerCase()
    // Substrings too: `firebaseToken` or `isClerkError` would be a bleed. (Names that are
    // common substrings of English, like Neon or Entra, are left out of the list.)
    for (const name of PROVIDER_NAMES)
      for (const m of lower.matchAll(new RegExp(name, 'g')))
        hits.push({ entry, name, context: text.slice(Math.max(0, m.index - 30), m.index + 40) })
  }
  return hits
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const hits = await findBleed()
  for (const h of hits)
    console.error(`${h.entry}: "${h.name}" in …${h.context.replace(/\s+/g, ' ')}…`)
  console.log(
    hits.length === 0
      ? `bleed check: @keyway/core names no provider (${PROVIDER_NAMES.length} names checked)`
      : `bleed check: FAILED, ${hits.length} provider name(s) in @keyway/core`,
  )
  process.exitCode = hits.length === 0 ? 0 : 1
}
