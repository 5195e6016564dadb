// What every package.json under packages/* must say before it is published (docs/releasing.md
// lists the same rules for a new package). Returns problems as sentences; none = clean.

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './packages.mjs'

const SOURCE = '@keyway/source'
const ENGINES = '>=20.19'
const BUILD = 'tsup && node ../../scripts/release/after-build.mjs'
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

/** The exports entry as published: the same entry without the source condition. */
function withoutSource(entry) {
  const { [SOURCE]: _, ...published } = entry
  return published
}

/** @param {import('./packages.mjs').WorkspacePackage} pkg */
export function manifestProblems({ folder, name, manifest: m }) {
  const problems = []
  const need = (ok, what) => ok || problems.push(what)

  need(name === `@keyway/${folder}`, `name must be @keyway/${folder} (folder = name)`)
  need(m.license === 'MIT', 'license must be MIT')
  need(
    m.repository?.url === root.repository.url && m.repository?.directory === `packages/${folder}`,
    `repository must be { url: ${root.repository.url}, directory: packages/${folder} }`,
  )
  need(typeof m.homepage === 'string' && m.homepage.length > 0, 'homepage is missing')
  need(m.bugs?.url === root.bugs.url, `bugs.url must be ${root.bugs.url}`)
  need(m.engines?.node === ENGINES, `engines.node must be "${ENGINES}"`)
  need(m.type === 'module', 'type must be "module"')
  need(m.sideEffects === false, 'sideEffects must be false')
  for (const file of ['dist', 'README.md', 'LICENSE'])
    need(m.files?.includes(file), `files must list ${file}`)
  need(m.scripts?.build === BUILD, `scripts.build must be "${BUILD}"`)
  need(existsSync(join(ROOT, 'packages', folder, 'tsup.config.ts')), 'tsup.config.ts is missing')
  need(m.publishConfig?.access === 'public', 'publishConfig.access must be "public"')

  // One copy of the session engine per app: every other package peers on core.
  if (name !== '@keyway/core') {
    need(!m.dependencies?.['@keyway/core'], '@keyway/core must not be a dependency (peer only)')
    need(m.peerDependencies?.['@keyway/core'] === 'workspace:^', 'peer @keyway/core: workspace:^')
    need(m.devDependencies?.['@keyway/core'] === 'workspace:*', 'dev @keyway/core: workspace:*')
  }

  const published = m.publishConfig?.exports ?? {}
  for (const [subpath, entry] of Object.entries(m.exports ?? {})) {
    const where = `exports["${subpath}"]`
    need(typeof entry === 'object', `${where} must be a conditions object`)
    if (typeof entry !== 'object') continue
    need(Object.keys(entry)[0] === SOURCE, `${where} must start with the ${SOURCE} condition`)
    need(typeof entry.default === 'string', `${where} needs a default condition (require(esm))`)
    need(
      typeof entry.types?.require === 'string' && typeof entry.types?.default === 'string',
      `${where}.types needs require (.d.cts) and default (.d.ts)`,
    )
    need(
      JSON.stringify(published[subpath]) === JSON.stringify(withoutSource(entry)),
      `publishConfig.exports["${subpath}"] must equal ${where} without ${SOURCE}`,
    )
  }
  need(
    Object.keys(published).length === Object.keys(m.exports ?? {}).length,
    'publishConfig.exports must have the same entries as exports',
  )
  return problems
}
