import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Debian's PostgreSQL binaries, the newest installed major. */
function pgBin(): string {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    : []
  if (majors.length === 0)
    throw new Error('PostgreSQL is not installed (apt-get install postgresql)')
  return join(root, majors.sort((a, b) => Number(b) - Number(a))[0]!, 'bin')
}

/**
 * A throwaway PostgreSQL cluster: initdb in a temp dir, `wal_level=logical` (what zero-cache
 * replicates from), on a free 127.0.0.1 port, its socket in the temp dir. PostgreSQL refuses
 * to run as root (CI is root): then the cluster belongs to the `postgres` user and its
 * commands run through `runuser`.
 */
export async function startPostgres() {
  const bin = pgBin()
  const dir = mkdtempSync(join(tmpdir(), 'keyway-pg-'))
  const asRoot = process.getuid?.() === 0
  const owner = asRoot
    ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    : undefined
  if (owner !== undefined) chownSync(dir, owner, owner)
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args]
    const result = spawnSync(file, argv, { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`)
    return result.stdout
  }
  const data = join(dir, 'data')
  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ])
  const port = await freePort()
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c wal_level=logical',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ')
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`
  return {
    url,
    port,
    dir,
    /** Runs SQL through psql; returns its unaligned, tuples-only output. */
    sql(statement: string): string {
      const result = spawnSync(
        join(bin, 'psql'),
        ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', statement],
        { encoding: 'utf8' },
      )
      if (result.status !== 0) throw new Error(`psql: ${result.stderr}`)
      return result.stdout.trim()
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

export type Postgres = Awaited<ReturnType<typeof startPostgres>>
