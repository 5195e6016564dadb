import { neonAuth } from '@keyway/neon'
import { neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from './support/issuer.js'
import { startNeonSqlDouble } from './support/neon-sql-double.js'
import {
  connectorCalls,
  faultEvery,
  LIFETIME_SEC,
  soakLifetimeSec,
  soakMs,
  sessionFor as soakSession,
} from './support/soak.js'

// The real @neondatabase/serverless driver, its `fetchEndpoint` pointed at a local double of
// Neon's SQL-over-HTTP (support/neon-sql-double.ts: verifies the JWT with @keyway/server,
// runs the SQL in PGlite under row-level security on auth.user_id()).

// The driver only reads the host of this URL, to build the endpoint (see fetchEndpoint).
const URL = 'postgresql://authenticated@ep-keyway-double.neon.test/neondb'

let issuer: TestIssuer
let double: Awaited<ReturnType<typeof startNeonSqlDouble>>
const restore = neonConfig.fetchEndpoint

beforeAll(async () => {
  issuer = await startTestIssuer({ lifetimeSec: LIFETIME_SEC, audience: 'neon-data' })
  double = await startNeonSqlDouble(issuer)
  neonConfig.fetchEndpoint = () => double.endpoint
})

afterAll(async () => {
  neonConfig.fetchEndpoint = restore
  await double?.close()
  await issuer?.close()
})

const sessionFor = (user: string) => soakSession(issuer, user)

describe('@keyway/neon against a double of Neon SQL-over-HTTP (real driver, PGlite, RLS)', () => {
  it('without keyway, a refused token fails the query: the driver does not retry', async () => {
    issuer.spoilNext(1)
    const token = await issuer.mint('zoe')
    const sql = neon(URL, { authToken: () => token })
    const before = double.state.unauthorized
    await expect(sql`select 1 as one`).rejects.toThrow(/HTTP status 401/)
    expect(double.state.unauthorized - before).toBe(1)
  })

  it('each user reads and writes only their own rows: the token reaches auth.user_id()', async () => {
    const a = sessionFor('amy')
    const b = sessionFor('ben')
    const sqlA = neonAuth(URL, a.session)
    const sqlB = neonAuth(URL, b.session)
    await sqlA`insert into todos (task) values ('amy task')`
    await sqlB.query('insert into todos (task) values ($1)', ['ben task'])
    expect(await sqlA`select user_id, task from todos`).toEqual([
      { user_id: 'amy', task: 'amy task' },
    ])
    expect(await sqlB`select user_id, task from todos`).toEqual([
      { user_id: 'ben', task: 'ben task' },
    ])
    // Writing as someone else is refused by the policy, as a 400 with Postgres's error.
    await expect(sqlA`insert into todos (user_id, task) values ('ben', 'forged')`).rejects.toThrow(
      /row-level security/,
    )
    a.session.dispose()
    b.session.dispose()
  })

  it('a 401 is reported and the query runs once more with the new token; transactions too', async () => {
    const { session, calls } = sessionFor('cleo')
    const sql = neonAuth(URL, session)
    issuer.spoilNext(1)
    const before = { ...double.state }
    expect(await sql`select auth.user_id() as me`).toEqual([{ me: 'cleo' }])
    expect(double.state.unauthorized - before.unauthorized).toBe(1)
    expect(double.state.requests - before.requests).toBe(2)
    expect(calls.map((c) => c.reason)).toEqual(['initial', 'rejected'])

    // A transaction built from lazy queries, refused once, then run whole.
    await session.refresh()
    issuer.spoilNext(1)
    await session.refresh()
    const results = await sql.transaction([
      sql`insert into todos (task) values ('in a transaction')`,
      sql`select count(*)::int as n from todos`,
    ])
    expect(results[1]).toEqual([{ n: 1 }])
    expect(calls.map((c) => c.reason)).toEqual([
      'initial',
      'rejected',
      'manual',
      'manual',
      'rejected',
    ])

    // Refused twice: no third try, the driver's error.
    issuer.spoilNext(2)
    await session.refresh()
    await expect(sql`select 1`).rejects.toThrow(/HTTP status 401/)
    session.dispose()
  })

  it(
    `soak: ${soakLifetimeSec()} s tokens, injected 401s; every insert lands once, no query waits over 1 s`,
    async () => {
      const duration = soakMs()
      const spoilEvery = faultEvery(duration, 100)
      const users = ['dana', 'eli'].map((user) => {
        const { session, calls } = soakSession(issuer, user, soakLifetimeSec())
        const sql = neonAuth(URL, session)
        return { user, session, calls, sql, inserted: 0, failures: 0, slowestMs: 0 }
      })
      const before = { ...double.state }
      const spoiledBefore = issuer.spoiled.size
      const start = Date.now()
      let tick = 0
      // Each user inserts every 100 ms; every 6 s (a quarter of a short soak) the next token a
      // session fetches on its own is spoiled (never the retry after a refusal: the adapter retries once, by design).
      while (Date.now() - start < duration) {
        await new Promise((r) => setTimeout(r, 100))
        tick++
        if (tick % spoilEvery === 0) issuer.revokeNext(1)
        await Promise.all(
          users.map(async (u) => {
            const sent = Date.now()
            try {
              await u.sql`insert into todos (task) values (${`soak ${tick}`})`
              u.inserted++
            } catch {
              u.failures++
            }
            u.slowestMs = Math.max(u.slowestMs, Date.now() - sent)
          }),
        )
      }
      const elapsed = Date.now() - start
      issuer.unspoil()
      const injected = issuer.spoiled.size - spoiledBefore
      const rows = await double.allTodos()
      const calls = connectorCalls(users, elapsed, injected, soakLifetimeSec())
      const figures = {
        seconds: Math.round(elapsed / 1000),
        tokenLifetimeSec: soakLifetimeSec(),
        queries: tick * users.length,
        inserted: users.map((u) => u.inserted),
        failed: users.map((u) => u.failures),
        rowsInDb: users.map(
          (u) => rows.filter((r) => r.user_id === u.user && r.task.startsWith('soak')).length,
        ),
        injectedRefusals: injected,
        http401: double.state.unauthorized - before.unauthorized,
        httpRequests: double.state.requests - before.requests,
        slowestQueryMs: Math.max(...users.map((u) => u.slowestMs)),
        connectorCalls: calls,
      }
      console.log(`neon soak ${JSON.stringify(figures)}`)

      expect(figures.failed).toEqual([0, 0])
      expect(figures.rowsInDb).toEqual([tick, tick])
      expect(figures.inserted).toEqual([tick, tick])
      expect(injected).toBeGreaterThan(0)
      // Each refusal is one 401 and one extra request, never more.
      expect(figures.http401).toBe(injected)
      expect(figures.httpRequests).toBe(tick * users.length + injected)
      expect(figures.slowestQueryMs).toBeLessThanOrEqual(1_000)
      expect(calls.initial).toBe(2)
      expect(calls.rejected).toBe(injected)
      expect(calls.proactive).toBeGreaterThan(0)
      expect(calls.proactive).toBeLessThanOrEqual(calls.maxProactive)
      for (const u of users) u.session.dispose()
    },
    soakMs() + 90_000,
  )
})
