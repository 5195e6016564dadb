// A package README is what npm shows: what the package is, how to install it, a short example,
// and where the docs are. Checked on the file in the package folder (the tarball check makes
// sure it ships).

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const MAX_EXAMPLE_LINES = 20

/** @param {import('./packages.mjs').WorkspacePackage} pkg */
export function readmeProblems({ dir, name }) {
  const file = join(dir, 'README.md')
  if (!existsSync(file)) return ['README.md is missing']
  const text = readFileSync(file, 'utf8')
  const problems = []
  if (!text.startsWith(`# ${name}\n`)) problems.push(`README.md must start with "# ${name}"`)
  if (!new RegExp(`npm (i|install) [^\\n]*${name.replace('/', '\\/')}`).test(text))
    problems.push(`README.md must show "npm install ${name}"`)
  const example = text.match(/```(ts|tsx)\n([\s\S]*?)```/)
  if (!example) problems.push('README.md needs a ts or tsx example')
  else if (example[2].trimEnd().split('\n').length > MAX_EXAMPLE_LINES)
    problems.push(`README.md's example is over ${MAX_EXAMPLE_LINES} lines`)
  if (!/\]\((https:\/\/[^)]+\/docs\/[^)]*)\)/.test(text))
    problems.push('README.md must link to a page under docs/ (absolute URL: npm shows it)')
  return problems
}
