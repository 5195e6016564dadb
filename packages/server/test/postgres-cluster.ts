import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Debian's layout: /usr/lib/postgresql/<major>/bin; the newest major wins. `PG_BIN` overrides. */
export function postgresBin(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return majors[0] && join(root, majors[0], 'bin')
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** PostgreSQL refuses to run as root: as root (CI), the cluster runs as `nobody`. */
async function asServerUser(bin: string, args: string[], dir: string) {
  if (process.getuid?.() !== 0) return run(bin, args)
  const uid = Number((await run('id', ['-u', 'nobody'])).stdout.trim())
  const gid = Number((await run('id', ['-g', 'nobody'])).stdout.trim())
  chownSync(dir, uid, gid)
  return run('runuser', ['-u', 'nobody', '--', bin, ...args], { cwd: dir })
}

export interface PostgresCluster {
  /** `postgres://keyway@127.0.0.1:<port>/postgres` (trust auth, loopback only). */
  url: string
  port: number
  /** The unix socket directory, inside the cluster's temp dir. */
  socketDir: string
  stop(): Promise<void>
}

/**
 * A throwaway PostgreSQL cluster: `initdb` in a temp dir, `pg_ctl start` on a free port on
 * 127.0.0.1 with its unix socket in the same temp dir, trust auth for the `keyway` user,
 * fsync off (test data). `stop()` stops it and deletes the dir.
 *
 * @example
 * ```ts
 * const pg = await startPostgresCluster()
 * const pool = new Pool({ connectionString: pg.url })
 * await pg.stop()
 * ```
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBin()
  if (!bin) throw new Error('No initdb under /usr/lib/postgresql/*/bin: install Debian postgresql')
  const dir = mkdtempSync(join(tmpdir(), 'keyway-pg-'))
  const data = join(dir, 'data')
  const port = await freePort()
  await asServerUser(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'keyway', '--auth=trust', '-E', 'UTF8', '-N'],
    dir,
  )
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`
  await asServerUser(
    join(bin, 'pg_ctl'),
    ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'],
    dir,
  )
  return {
    url: `postgres://keyway@127.0.0.1:${port}/postgres`,
    port,
    socketDir: dir,
    async stop() {
      await asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], dir).catch(
        () => undefined,
      )
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
