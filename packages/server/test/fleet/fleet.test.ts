import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresLinkStore } from '../../src/stores/postgres.js'
import { type JwksServer, startJwksServer } from '../jwks-server.js'
import { type PostgresCluster, startPostgresCluster } from '../postgres-cluster.js'
import {
  type GuestDevice,
  guestDevice,
  type ProviderKey,
  providerKey,
  providerMinter,
} from '../tokens.js'
import { startRoundRobinProxy } from './round-robin-proxy.js'

// A fleet of API servers (separate Node processes) sharing one real PostgreSQL behind a
// round-robin proxy on 127.0.0.1: 1,000 concurrent links, 100 of them replayed at the same
// moment, and 50 guests racing to two accounts. Every nonce and jti is consumed exactly
// once, every race has one winner and a coded 409, no row is lost. Link throughput of 1
// and 4 processes is printed. FLEET_LINKS sets the number of links: 1,000 by default and in
// `pnpm fleet`, 200 in CI (CI=true) to stay within about 30 s on a shared 2-core machine.

const LINKS = Number(process.env.FLEET_LINKS ?? (process.env.CI ? 200 : 1000))
const REPLAYS = Math.min(100, LINKS)
const RACES = 50
/** Requests in flight at once from the test's clients (the rest wait their turn, as behind a browser's pool). */
const IN_FLIGHT = Number(process.env.FLEET_IN_FLIGHT ?? 200)
const ISSUER = 'https://auth.fleet.test'
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const SERVER = fileURLToPath(new URL('./api-server.ts', import.meta.url))

let cluster: PostgresCluster
let pool: pg.Pool
let jwks: JwksServer
let key: ProviderKey
const throughput: Record<number, number> = {}

beforeAll(async () => {
  ;[cluster, key] = await Promise.all([startPostgresCluster(), providerKey('fleet')])
  pool = new pg.Pool({ connectionString: cluster.url, max: 4 })
  // The cluster's shutdown ends idle connections with 57P01: expected at teardown.
  pool.on('error', () => undefined)
  await postgresLinkStore((sql, params) => pool.query(sql, params)).migrate()
  jwks = await startJwksServer([key.jwk])
}, 120_000)
afterAll(async () => {
  console.info(
    `[fleet] link throughput: 1 process ${throughput[1]} links/s, 4 processes ${throughput[4]} links/s`,
  )
  await pool?.end()
  await jwks?.close()
  await cluster?.stop()
})

/** Starts `n` API server processes; resolves their ports and a stop function. */
async function startFleet(n: number, linkAudience: string) {
  const children: ChildProcess[] = []
  const ports = await Promise.all(
    Array.from({ length: n }, () => {
      const child = spawn(
        process.execPath,
        ['--conditions=@keyway/source', '--import', 'tsx', SERVER],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            PG_URL: cluster.url,
            JWKS_URL: jwks.url,
            ISSUER,
            LINK_AUD: linkAudience,
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      children.push(child)
      return new Promise<number>((resolve, reject) => {
        let out = ''
        child.stdout!.on('data', (data) => {
          out += data
          const port = /PORT (\d+)/.exec(out)?.[1]
          if (port) resolve(Number(port))
        })
        child.on('exit', (code) => reject(new Error(`API server exited with ${code}`)))
      })
    }),
  )
  const stop = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve()
            child.removeAllListeners('exit')
            child.on('exit', () => resolve())
            child.kill('SIGTERM')
          }),
      ),
    )
  return { ports, stop }
}

interface Answer {
  status: number
  error?: string
  anonymousId?: string
  userId?: string
}

async function scenario(processes: number) {
  await pool.query('truncate keyway_nonces, keyway_jtis, keyway_links, keyway_known_users')
  // The proxy's URL is only known once it listens; the servers need the link audience first.
  const proxy = await startRoundRobinProxy([])
  const linkAudience = `${proxy.url}/link/link`
  const fleet = await startFleet(processes, linkAudience)
  proxy.backends.push(...fleet.ports)
  const mint = providerMinter({ issuer: ISSUER, now: Date.now })
  let active = 0
  const waiting: Array<() => void> = []
  const post = async (path: string, body: unknown): Promise<Answer> => {
    if (active >= IN_FLIGHT) await new Promise<void>((r) => waiting.push(r))
    active++
    try {
      return await send(path, body)
    } finally {
      active--
      waiting.shift()?.()
    }
  }
  const send = async (path: string, body: unknown): Promise<Answer> => {
    const response = await fetch(`${proxy.url}/link/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: response.status, ...((await response.json()) as object) }
  }
  const attempt = async (device: GuestDevice, providerToken: string) => {
    const { nonce } = (await post('challenge', {})) as unknown as { nonce: string }
    const proof = await device.proof({ providerToken, nonce, audience: linkAudience })
    return { providerToken, proof }
  }
  try {
    const devices = await Promise.all(Array.from({ length: LINKS }, () => guestDevice(Date.now)))
    const tokens = await Promise.all(devices.map((_, i) => mint(key, { sub: `user_${i}` })))
    // 1,000 concurrent links; the first 100 are posted twice at the same moment (a replay race).
    const started = performance.now()
    const answers = await Promise.all(
      devices.map(async (device, i) => {
        const body = await attempt(device, tokens[i]!)
        return Promise.all(
          i < REPLAYS ? [post('link', body), post('link', body)] : [post('link', body)],
        )
      }),
    )
    const seconds = (performance.now() - started) / 1000
    throughput[processes] = Math.round(LINKS / seconds)

    // 50 guests, each linked to two accounts at the same moment.
    const racers = await Promise.all(Array.from({ length: RACES }, () => guestDevice(Date.now)))
    const [a, b] = [await mint(key, { sub: 'race_a' }), await mint(key, { sub: 'race_b' })]
    const races = await Promise.all(
      racers.map(async (device) => {
        const bodies = await Promise.all([attempt(device, a), attempt(device, b)])
        return Promise.all(bodies.map((body) => post('link', body)))
      }),
    )

    for (const [i, pair] of answers.entries()) {
      const ok = pair.filter((x) => x.status === 200)
      expect(ok, `link ${i}`).toHaveLength(1)
      expect(ok[0]).toMatchObject({
        anonymousId: devices[i]!.id,
        userId: `user_${i}`,
        outcome: 'promoted',
      })
      if (pair.length === 2)
        expect(pair.find((x) => x.status !== 200)).toMatchObject({ status: 401, error: 'replayed' })
    }
    for (const pair of races) {
      expect(pair.map((x) => x.status).sort()).toEqual([200, 409])
      expect(pair.find((x) => x.status === 409)?.error).toBe('already_linked')
    }
    const count = async (table: string) =>
      Number((await pool.query(`select count(*) as n from ${table}`)).rows[0].n)
    // One jti and one nonce per proof that got past verification: 1,000 links + 100 racers.
    expect(await count('keyway_jtis')).toBe(LINKS + 2 * RACES)
    expect(await count('keyway_nonces')).toBe(LINKS + 2 * RACES)
    const { rows } = await pool.query('select anonymous_id, user_id from keyway_links')
    const stored = new Map(rows.map((r) => [r.anonymous_id as string, r.user_id as string]))
    expect(stored.size).toBe(LINKS + RACES)
    for (const [i, device] of devices.entries()) expect(stored.get(device.id)).toBe(`user_${i}`)
    for (const [i, device] of racers.entries()) {
      const winner = races[i]!.find((x) => x.status === 200)!
      expect(stored.get(device.id)).toBe(winner.userId)
    }
    expect(proxy.served.every((n) => n > 0)).toBe(true)
    console.info(
      `[fleet] ${processes} process(es): ${LINKS} links in ${seconds.toFixed(2)} s = ${throughput[processes]} links/s; requests per server ${proxy.served.join(', ')}`,
    )
  } finally {
    await proxy.close()
    await fleet.stop()
  }
}

describe('a fleet of API servers on one real PostgreSQL', () => {
  it(
    `1 process: ${LINKS} links (${REPLAYS} replayed), ${RACES} guests racing to two accounts`,
    () => scenario(1),
    120_000,
  )
  it(
    `4 processes behind a round-robin proxy: the same, every nonce and jti once`,
    () => scenario(4),
    120_000,
  )
})
