import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { node22 } from './node22.js'
import { freePort, type Postgres } from './postgres.js'

export interface ZeroCacheOptions {
  postgres: Postgres
  jwksUrl: string
  issuer: string
  audience: string
}

/**
 * The real zero-cache from @rocicorp/zero (Node ≥ 22), replicating from `postgres`, verifying
 * JWTs against `jwksUrl` (its `ZERO_AUTH_JWKS_URL` path: deprecated upstream in favour of
 * forwarding the token to the app's own endpoints, still supported), no permissions
 * deployed (every row readable and writable), telemetry off, bound to 127.0.0.1 only (see
 * loopback-only.mjs). Resolves once it answers HTTP: 20–40 s on 2 cores.
 */
export async function startZeroCache(options: ZeroCacheOptions) {
  const require = createRequire(import.meta.url)
  // The package's bins, beside its main entry (out/zero/src/zero.js).
  const bin = dirname(require.resolve('@rocicorp/zero'))
  deployPermissions(join(bin, 'deploy-permissions.js'), options.postgres.url)
  const cli = join(bin, 'cli.js')
  const port = await freePort()
  const preload = fileURLToPath(new URL('./loopback-only.mjs', import.meta.url))
  let log = ''
  const child: ChildProcess = spawn(node22(), [cli], {
    // Its own process group: zero-cache forks a dozen workers, stopped together below.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_OPTIONS: `--import=${preload}`,
      DO_NOT_TRACK: '1',
      ZERO_ENABLE_TELEMETRY: 'false',
      ZERO_UPSTREAM_DB: options.postgres.url,
      ZERO_REPLICA_FILE: join(options.postgres.dir, 'zero-replica.db'),
      ZERO_PORT: String(port),
      ZERO_CHANGE_STREAMER_PORT: String(await freePort()),
      ZERO_NUM_SYNC_WORKERS: '1',
      ZERO_ADMIN_PASSWORD: 'keyway-test',
      ZERO_AUTH_JWKS_URL: options.jwksUrl,
      ZERO_AUTH_ISSUER: options.issuer,
      ZERO_AUTH_AUDIENCE: options.audience,
      ZERO_LOG_LEVEL: 'warn',
    },
  })
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-40_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let exited = false
  child.on('exit', () => {
    exited = true
  })

  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (exited) throw new Error(`zero-cache exited before it was ready:\n${log}`)
    if (Date.now() > deadline) throw new Error(`zero-cache not ready after 120 s:\n${log}`)
    const up = await fetch(`${url}/`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) break
    await new Promise((r) => setTimeout(r, 250))
  }

  return {
    url,
    get log() {
      return log
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve()
        child.once('exit', () => resolve())
        const group = -child.pid!
        process.kill(group, 'SIGTERM')
        setTimeout(() => {
          try {
            process.kill(group, 'SIGKILL')
          } catch {}
        }, 10_000).unref()
      }),
  }
}

/** zero-deploy-permissions with support/zero-schema.ts (loaded through tsx). */
function deployPermissions(script: string, upstream: string): void {
  const schema = fileURLToPath(new URL('./zero-schema.ts', import.meta.url))
  const result = spawnSync(
    node22(),
    ['--import', 'tsx', script, '--schema-path', schema, '--upstream-db', upstream],
    { encoding: 'utf8', env: { ...process.env, DO_NOT_TRACK: '1' } },
  )
  if (result.status !== 0)
    throw new Error(`zero-deploy-permissions failed:\n${result.stderr}${result.stdout}`)
}
