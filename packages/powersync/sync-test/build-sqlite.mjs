// Builds better-sqlite3's native module for the installed Node, from the C sources inside its
// registry package, with node-gyp against the Node headers already on this machine
// (/usr/include/node: Debian's nodejs headers). Nothing is downloaded: no prebuilt binary from
// GitHub, no headers from nodejs.org. Skips the build when the module already loads.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const pkg = dirname(require.resolve('better-sqlite3/package.json'))

function loads() {
  try {
    const Database = require('better-sqlite3')
    new Database(':memory:').close()
    return true
  } catch {
    return false
  }
}

if (loads()) {
  console.log(`better-sqlite3: native module present (${pkg})`)
} else {
  const nodedir = process.env.npm_config_nodedir ?? '/usr'
  if (!existsSync(join(nodedir, 'include/node/node.h')))
    throw new Error(`No Node headers under ${nodedir}/include/node: set npm_config_nodedir`)
  const npm = dirname(
    dirname(require.resolve('npm/package.json', { paths: ['/usr/lib/node_modules'] })),
  )
  const gyp = join(npm, 'npm/node_modules/node-gyp/bin/node-gyp.js')
  console.log(`better-sqlite3: building with node-gyp against ${nodedir}/include/node …`)
  const started = Date.now()
  execFileSync(process.execPath, [gyp, 'rebuild', '--release', `--nodedir=${nodedir}`, '-j', '2'], {
    cwd: pkg,
    stdio: 'inherit',
  })
  if (!loads()) throw new Error('better-sqlite3 still does not load after the build')
  console.log(`better-sqlite3: built in ${Math.round((Date.now() - started) / 1000)} s`)
}
