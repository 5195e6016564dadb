import { createSession, type Session } from '@keyway/core'
import { zeroAuth } from '@keyway/zero'
import { type ConnectionState, Zero } from '@rocicorp/zero'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestIssuer, type TestIssuer } from './support/issuer.js'
import { type Postgres, startPostgres } from './support/postgres.js'
import {
  connectorCalls,
  faultEvery,
  gapMeter,
  LIFETIME_SEC,
  soakLifetimeSec,
  soakMs,
  sessionFor as soakSession,
  until,
} from './support/soak.js'
import { startZeroCache } from './support/zero-cache.js'
import { NOTE_TABLE_SQL, schema } from './support/zero-schema.js'

// The real zero-cache (Node ≥ 22, child process tree) replicating from a real PostgreSQL
// cluster (wal_level=logical), verifying JWTs against the jose issuer's JWKS, permissions
// that let a user insert only notes whose author is the token's `sub`; the real Zero
// client here (Node 20: `ws` as its WebSocket, in-memory storage).

let issuer: TestIssuer
let postgres: Postgres
let zeroCache: Awaited<ReturnType<typeof startZeroCache>>
const open: Array<{ zero: Zero<typeof schema>; session?: Session }> = []

beforeAll(async () => {
  Object.assign(globalThis, { WebSocket })
  issuer = await startTestIssuer({ lifetimeSec: LIFETIME_SEC, audience: 'zero-app' })
  postgres = await startPostgres()
  postgres.sql(NOTE_TABLE_SQL)
  const started = Date.now()
  zeroCache = await startZeroCache({
    postgres,
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audience: issuer.audience,
  })
  console.log(`zero-cache ready in ${Date.now() - started} ms`)
}, 180_000)

afterAll(async () => {
  for (const { zero, session } of open) {
    await zero.close().catch(() => {})
    session?.dispose()
  }
  await zeroCache?.stop()
  postgres?.stop()
  await issuer?.close()
}, 60_000)

const sessionFor = (user: string) => soakSession(issuer, user)

function zeroFor(user: string, auth: string, session?: Session) {
  const zero = new Zero({
    cacheURL: zeroCache.url,
    schema,
    userID: user,
    auth,
    kvStore: 'mem',
    // Zero logs every refused token; the states and figures below say what happened.
    logSink: { log: () => {} },
  })
  open.push({ zero, session })
  const states: ConnectionState['name'][] = []
  zero.connection.state.subscribe((s) => states.push(s.name))
  return { zero, states }
}

/**
 * Measures needs-auth (and any other loss of the connection) until `connected` again, and
 * sorts every reconnect by its cause: a `needs-auth` (a refused token), a new token handed
 * over less than 1 s before (what the adapter must never cause), or neither (the network, a
 * busy zero-cache).
 */
function watchZero(zero: Zero<typeof schema>, session?: Session) {
  const needsAuth = gapMeter()
  const offline = gapMeter()
  const reconnects = { afterNeedsAuth: 0, afterNewToken: 0, other: 0 }
  let tokenAt = Number.NEGATIVE_INFINITY
  let version = session?.getSnapshot().tokenVersion
  session?.subscribe(() => {
    const next = session.getSnapshot().tokenVersion
    if (next !== version) tokenAt = Date.now()
    version = next
  })
  let previous: ConnectionState['name'] | undefined
  let everConnected = false
  zero.connection.state.subscribe((s) => {
    if (s.name === 'connecting' && everConnected && previous !== 'connecting') {
      if (previous === 'needs-auth') reconnects.afterNeedsAuth++
      else if (Date.now() - tokenAt < 1_000) reconnects.afterNewToken++
      else reconnects.other++
    }
    previous = s.name
    if (s.name === 'connected') {
      everConnected = true
      needsAuth.regained()
      offline.regained()
      return
    }
    if (s.name === 'needs-auth') needsAuth.lost()
    if (everConnected) offline.lost()
  })
  return { needsAuth, offline, reconnects }
}

async function close(zero: Zero<typeof schema>, session?: Session) {
  await zero.close()
  session?.dispose()
}

const rows = () => Number(postgres.sql('select count(*) from note'))

describe('@keyway/zero against the real zero-cache over PostgreSQL', () => {
  it('without keyway, Zero with an expired token stops in needs-auth and stays there', async () => {
    const expired = await issuer.mint('dave', {}, -60)
    const { zero, states } = zeroFor('dave', expired)
    await until(() => zero.connection.state.current.name === 'needs-auth', 15_000, 'needs-auth')
    await new Promise((r) => setTimeout(r, 1_500))
    expect(zero.connection.state.current.name).toBe('needs-auth')
    expect(states).not.toContain('connected')
    await close(zero)
  })

  it('a refused token: needs-auth → reportRejected → new token → connected within 1 s, the pending write lands', async () => {
    issuer.spoilNext(1)
    const { session, calls } = sessionFor('erin')
    const { zero } = zeroFor('erin', await session.getToken(), session)
    const watch = watchZero(zero, session)
    zeroAuth(zero, session)
    // Written before any connection succeeded: it must reach PostgreSQL once Zero is back.
    await zero.mutate.note.insert({ id: 'erin-1', author: 'erin', body: 'first' })
    await until(() => zero.connection.state.current.name === 'connected', 10_000, 'connected')
    await until(() => postgres.sql("select body from note where id = 'erin-1'") === 'first', 10_000)
    expect(calls.map((c) => c.reason)).toEqual(['initial', 'rejected'])
    expect(watch.needsAuth.gaps.length).toBe(1)
    console.log(`needs-auth → connected in ${watch.needsAuth.maxGapMs} ms`)
    expect(watch.needsAuth.maxGapMs).toBeLessThan(1_000)
    await close(zero, session)
  })

  it("a refused token the provider hands back (zero-cache saw it before its nbf: the issuer's clock ahead): Zero resumes with it at once, not at its next refresh", async () => {
    // Zero connects well within these 3 s (tens of ms here), so zero-cache sees the token early.
    const notBefore = Math.floor(Date.now() / 1000) + 3
    const token = await issuer.mint('frank', { nbf: notBefore }, 0, { lifetimeSec: 3600 })
    const calls: string[] = []
    let answeredAt = 0
    const session = createSession({
      connector: {
        id: 'insisting-frank',
        async fetchCredentials({ reason }) {
          calls.push(reason)
          // The provider finds nothing wrong with its token and answers with it again, by
          // then past its nbf.
          if (reason === 'rejected')
            await new Promise((r) => setTimeout(r, notBefore * 1000 + 500 - Date.now()))
          answeredAt = Date.now()
          return { token }
        },
      },
    })
    const { zero, states } = zeroFor('frank', await session.getToken(), session)
    zeroAuth(zero, session)
    await until(() => answeredAt > 0, 10_000, 'the refusal reported and answered')
    // Without a new token, the session's next one comes at this one's refresh, an hour away.
    await until(() => zero.connection.state.current.name === 'connected', 5_000, 'connected')
    const ms = Date.now() - answeredAt
    console.log(`same token handed back → connected in ${ms} ms`)
    expect(ms).toBeLessThan(1_000)
    expect(states).toContain('needs-auth')
    expect(calls).toEqual(['initial', 'rejected'])
    await close(zero, session)
  })

  it(
    `soak: ${soakLifetimeSec()} s tokens on live connections, injected refusals; no write lost, needs-auth never over 1 s, no reconnect for a new token`,
    async () => {
      const duration = soakMs()
      const spoilEvery = faultEvery(duration, 200)
      const clients = await Promise.all(
        ['alice', 'carol'].map(async (user) => {
          const { session, calls } = soakSession(issuer, user, soakLifetimeSec())
          const { zero, states } = zeroFor(user, await session.getToken(), session)
          const watch = watchZero(zero, session)
          zeroAuth(zero, session)
          const view = zero.materialize(zero.query.note.where('id', 'LIKE', 'soak-%'))
          return { user, session, calls, zero, states, watch, view, written: [] as string[] }
        }),
      )
      await until(
        () => clients.every((c) => c.zero.connection.state.current.name === 'connected'),
        15_000,
        'both connected',
      )
      const spoiledBefore = issuer.spoiled.size
      const rowsBefore = rows()
      const start = Date.now()
      let tick = 0
      // Each client inserts a note every 200 ms; every 6 s (a quarter of a short soak) the next
      // token a session fetches on its own is spoiled:
      // zero-cache refuses it when it arrives as an auth update on the live connection.
      while (Date.now() - start < duration) {
        await new Promise((r) => setTimeout(r, 200))
        tick++
        for (const c of clients) {
          const id = `soak-${c.user}-${tick}`
          void c.zero.mutate.note.insert({ id, author: c.user, body: String(tick) })
          c.written.push(id)
        }
        if (tick % spoilEvery === 0) issuer.revokeNext(1)
      }
      const elapsed = Date.now() - start
      issuer.unspoil()
      const injected = issuer.spoiled.size - spoiledBefore

      const all = clients.flatMap((c) => c.written).sort()
      await until(() => rows() - rowsBefore === all.length, 20_000, 'every write in PostgreSQL')
      const inPostgres = postgres
        .sql("select id from note where id like 'soak-%' order by id")
        .split('\n')
      await until(
        () => clients.every((c) => c.view.data.length === all.length),
        20_000,
        'views synced',
      )

      const reconnects = (key: 'afterNeedsAuth' | 'afterNewToken' | 'other') =>
        clients.reduce((n, c) => n + c.watch.reconnects[key], 0)
      const calls = connectorCalls(clients, elapsed, injected, soakLifetimeSec())
      const figures = {
        seconds: Math.round(elapsed / 1000),
        tokenLifetimeSec: soakLifetimeSec(),
        writes: all.length,
        inPostgres: inPostgres.length,
        injectedRefusals: injected,
        needsAuthEpisodes: clients.map((c) => c.watch.needsAuth.gaps.length),
        maxNeedsAuthMs: Math.max(...clients.map((c) => c.watch.needsAuth.maxGapMs)),
        maxNotConnectedMs: Math.max(...clients.map((c) => c.watch.offline.maxGapMs)),
        reconnects: {
          afterNeedsAuth: reconnects('afterNeedsAuth'),
          afterNewToken: reconnects('afterNewToken'),
          other: reconnects('other'),
        },
        connectorCalls: calls,
      }
      console.log(`zero soak ${JSON.stringify(figures)}`)

      expect(inPostgres).toEqual(all)
      for (const c of clients) expect(c.view.data.map((r) => r.id).sort()).toEqual(all)
      expect(figures.maxNeedsAuthMs).toBeLessThanOrEqual(1_000)
      // Each refusal puts Zero in needs-auth and costs a reconnect (two refusals can fall in one
      // episode); a new good token costs none.
      expect(injected).toBeGreaterThan(0)
      expect(figures.needsAuthEpisodes.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
      expect(reconnects('afterNeedsAuth')).toBeGreaterThanOrEqual(injected)
      // A new good token never costs a reconnect: it goes over the live connection.
      expect(reconnects('afterNewToken')).toBe(0)
      expect(calls.initial).toBe(2)
      expect(calls.rejected).toBe(injected)
      expect(calls.proactive).toBeGreaterThan(0)
      expect(calls.proactive).toBeLessThanOrEqual(calls.maxProactive)
    },
    soakMs() + 90_000,
  )
})
