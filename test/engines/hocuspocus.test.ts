import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { createSession, type FetchCredentialsOptions, KeywayError } from '@keyway/core'
import { captureUnhandledRejections } from '@keyway/core/testing/vitest'
import { hocuspocusAuth } from '@keyway/hocuspocus'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { type ChildServer, startChild } from './support/child.js'
import { startTestIssuer, type TestIssuer } from './support/issuer.js'
import {
  authWatch,
  connectorCalls,
  faultEvery,
  LIFETIME_SEC,
  soakLifetimeSec,
  soakMs,
  sessionFor as soakSession,
  until,
} from './support/soak.js'

// The real @hocuspocus/server (Node ≥ 22, in a child process) verifying with @keyway/server
// against a jose issuer's JWKS; the real @hocuspocus/provider here on Node 20 (ws for the
// WebSocket). The server closes a document connection at its token's expiry unless a newer
// token came by token sync (see support/hocuspocus-server.ts).

let issuer: TestIssuer
let server: ChildServer
let url: string

beforeAll(async () => {
  issuer = await startTestIssuer({ lifetimeSec: LIFETIME_SEC, audience: 'collab' })
  server = startChild(new URL('./support/hocuspocus-server.ts', import.meta.url).href, {
    JWKS_URL: issuer.jwksUrl,
    ISSUER: issuer.issuer,
    AUDIENCE: issuer.audience,
  })
  const ready = await server.waitFor((e) => e.event === 'ready')
  url = `ws://127.0.0.1:${ready.port}`
})

afterAll(async () => {
  await server?.stop()
  await issuer?.close()
})

/** A provider for `name` on its own socket; `delay` is the socket's reconnect delay. */
function connect(name: string, token: HocuspocusProvider['configuration']['token'] = null) {
  const document = new Y.Doc()
  const websocketProvider = new HocuspocusProviderWebsocket({
    url,
    WebSocketPolyfill: WebSocket,
    delay: 250,
    minDelay: 100,
  })
  const provider = new HocuspocusProvider({ websocketProvider, name, document, token })
  // The provider does not own a socket passed in: attach it, as the docs say.
  provider.attach()
  return { provider, document, websocketProvider }
}

const sessionFor = (user: string) => soakSession(issuer, user)

function destroy(
  ...providers: Array<{
    provider: HocuspocusProvider
    websocketProvider: HocuspocusProviderWebsocket
  }>
) {
  for (const p of providers) {
    p.provider.destroy()
    p.websocketProvider.destroy()
  }
}

/** What the provider leaves unhandled: a token function that throws where nobody awaits. */
const unhandled = captureUnhandledRejections()

describe('@keyway/hocuspocus against the real @hocuspocus/server', () => {
  it('a refused token is reported, replaced and sent again at once: authenticated within 1 s', async () => {
    issuer.spoilNext(1)
    const { session, calls } = sessionFor('alice')
    const c = connect('refused-doc')
    const watch = authWatch(c.provider)
    hocuspocusAuth(c.provider, session)
    await until(() => c.provider.isAuthenticated && c.provider.isSynced, 10_000)
    const denied = server.events.filter((e) => e.event === 'auth' && e.ok === false)
    expect(denied.length).toBeGreaterThanOrEqual(1)
    expect(calls.map((c) => c.reason)).toEqual(['initial', 'rejected'])
    expect(watch.failures).toBe(1)
    console.log(`refused token → authenticated again in ${watch.maxGapMs} ms`)
    expect(watch.maxGapMs).toBeLessThan(1_000)
    destroy(c)
    session.dispose()
  })

  it('without keyway, a token string is refused after a reconnect past its expiry and the provider stays denied; with keyway the reconnect carries a fresh token', async () => {
    // A token that has already expired stands for "the socket dropped after expiry".
    const expired = await issuer.mint('bob', {}, -60)
    const plain = connect('plain-doc', expired)
    const plainWatch = authWatch(plain.provider)
    await until(() => plainWatch.failures > 0, 10_000)
    // Hocuspocus's own behaviour: nothing sends the token again.
    await new Promise((r) => setTimeout(r, 1_500))
    expect(plain.provider.isAuthenticated).toBe(false)
    expect(plainWatch.failures).toBe(1)
    destroy(plain)

    const { session } = sessionFor('bob')
    const c = connect('fresh-doc')
    hocuspocusAuth(c.provider, session)
    await until(() => c.provider.isAuthenticated, 10_000)
    const first = session.peek()!.token
    // The network drops: the provider reconnects, and must authenticate again.
    c.websocketProvider.webSocket?.close()
    await until(() => !c.provider.isAuthenticated, 5_000)
    await until(() => c.provider.isAuthenticated, 5_000)
    expect(session.peek()!.token).toBe(first)
    destroy(c)
    session.dispose()
  })

  it("no token to give (a final error, the provider down, a disposed session): authenticationFailed with the session's error, no unhandled rejection, authenticated once a token comes", async () => {
    // 6 s tokens: an outage outlives one in a few seconds.
    const good = issuer.connector('gina', undefined, 6)
    let fault: 'final' | 'down' | 'slow' | null = 'final'
    const connector = {
      id: 'faulty-gina',
      async fetchCredentials(options: FetchCredentialsOptions) {
        if (fault === 'final')
          throw new KeywayError('ERR_CONFIG', 'client id unknown', { transient: false })
        if (fault === 'down') throw new KeywayError('ERR_PROVIDER', '503 from the provider')
        if (fault === 'slow') await new Promise((r) => setTimeout(r, 10_000))
        return good.fetchCredentials(options)
      },
    }
    const reasons: string[] = []
    const track = (c: ReturnType<typeof connect>) =>
      c.provider.on('authenticationFailed', ({ reason }: { reason: string }) =>
        reasons.push(reason),
      )

    // A final error: denied with the session's error; a fixed configuration brings it back.
    const session = createSession({ connector, maxCallsPerMinute: 30 })
    const a = connect('faulty-doc')
    track(a)
    hocuspocusAuth(a.provider, session)
    await until(() => reasons.length === 1, 10_000, 'the first denial')
    expect(reasons[0]).toContain('KeywayError: client id unknown')
    expect(session.getSnapshot().lastError?.code).toBe('ERR_CONFIG')
    fault = null
    await session.refresh()
    await until(() => a.provider.isAuthenticated, 5_000, 'authenticated after the fix')

    // The provider down until the token dies: denied (the server closes the document at
    // the token's expiry, or the socket drops), then the session's own retry brings it back.
    fault = 'down'
    await until(() => session.getSnapshot().status === 'error', 20_000, 'the token dead')
    a.websocketProvider.webSocket?.close()
    await until(() => reasons.length >= 2, 10_000, 'a denial while down')
    expect(reasons.slice(1).every((r) => r.includes('503 from the provider'))).toBe(true)
    const healedAt = Date.now()
    fault = null
    await until(() => a.provider.isAuthenticated, 20_000, 'authenticated after the outage')
    console.log(
      `provider back → authenticated after ${Date.now() - healedAt} ms (the session's backoff), ${reasons.length - 1} denials while down`,
    )
    const denied = reasons.length

    // Disposed while the token function waits: it settles as a denial, nothing more.
    const b = connect('disposed-doc')
    track(b)
    const other = createSession({ connector, maxCallsPerMinute: 30 })
    fault = 'slow'
    hocuspocusAuth(b.provider, other)
    await new Promise((r) => setTimeout(r, 500))
    other.dispose()
    await until(() => reasons.length === denied + 1, 5_000, 'the denial after dispose')
    expect(reasons[denied]).toContain('The session was disposed')
    await new Promise((r) => setTimeout(r, 500))
    expect(b.provider.isAuthenticated).toBe(false)
    expect(reasons).toHaveLength(denied + 1)
    expect(unhandled).toEqual([])
    destroy(a, b)
    session.dispose()
  })

  it(
    `soak: ${soakLifetimeSec()} s tokens, injected refusals and dropped sockets; nothing lost, never denied for more than 1 s`,
    async () => {
      const duration = soakMs()
      const spoilEvery = faultEvery(duration, 100)
      const dropEvery = faultEvery(duration, 100, 9_000)
      const clients = ['alice', 'carol'].map((user) => {
        const { session, calls } = soakSession(issuer, user, soakLifetimeSec())
        const c = connect('soak-doc')
        const watch = authWatch(c.provider)
        hocuspocusAuth(c.provider, session)
        return { user, session, calls, watch, ...c, written: [] as string[] }
      })
      await until(() => clients.every((c) => c.provider.isSynced), 10_000)
      const eventsBefore = server.events.length
      const spoiledBefore = issuer.spoiled.size
      const start = Date.now()
      let drops = 0
      let tick = 0
      // Each client writes every 100 ms; every 6 s the next token a session fetches on its own
      // is spoiled (a 401 from the server), every 9 s one client's socket drops (both every
      // quarter of a short soak).
      while (Date.now() - start < duration) {
        await new Promise((r) => setTimeout(r, 100))
        tick++
        for (const c of clients) {
          const item = `${c.user}-${tick}`
          c.document.getArray<string>('log').push([item])
          c.written.push(item)
        }
        if (tick % spoilEvery === 0) issuer.revokeNext(1)
        if (tick % dropEvery === Math.floor(dropEvery / 2)) {
          clients[drops % 2]!.websocketProvider.webSocket?.close()
          drops++
        }
      }
      const elapsed = Date.now() - start
      issuer.unspoil()
      // The refusals injected: spoiled tokens the clients actually received.
      const injected = issuer.spoiled.size - spoiledBefore
      // Let the last tokens and writes settle.
      await until(
        () => clients.every((c) => c.provider.isAuthenticated && !c.provider.hasUnsyncedChanges),
        10_000,
        'both clients authenticated with nothing unsynced',
      )

      const all = clients.flatMap((c) => c.written).sort()
      await until(
        () => clients.every((c) => c.document.getArray('log').length === all.length),
        10_000,
      )
      const observer = connect('soak-doc')
      const { session: observerSession } = sessionFor('observer')
      hocuspocusAuth(observer.provider, observerSession)
      await until(() => observer.provider.isSynced, 10_000)
      const onServer = observer.document.getArray<string>('log').toArray().sort()

      const during = server.events.slice(eventsBefore)
      const refusedByServer = during.filter((e) => e.ok === false).length
      const tokenSyncs = during.filter((e) => e.event === 'tokenSync' && e.ok).length
      const expiredCloses = during.filter((e) => e.event === 'expired').length
      const maxGap = Math.max(...clients.map((c) => c.watch.maxGapMs))
      const calls = connectorCalls(clients, elapsed, injected, soakLifetimeSec())
      const figures = {
        seconds: Math.round(elapsed / 1000),
        tokenLifetimeSec: soakLifetimeSec(),
        writes: all.length,
        onServer: onServer.length,
        injectedRefusals: injected,
        refusedByServer,
        socketDrops: drops,
        tokenSyncs,
        expiredCloses,
        connectorCalls: calls,
        maxUnauthenticatedMs: maxGap,
        authFailures: clients.map((c) => c.watch.failures),
      }
      console.log(`hocuspocus soak ${JSON.stringify(figures)}`)

      expect(onServer).toEqual(all)
      for (const c of clients)
        expect(c.document.getArray<string>('log').toArray().sort()).toEqual(all)
      expect(maxGap).toBeLessThanOrEqual(1_000)
      // Every new token reached the live connections: the server never had to close one.
      expect(expiredCloses).toBe(0)
      expect(tokenSyncs).toBeGreaterThan(0)
      // A spoiled token is refused at most twice: once by token sync, once more on the
      // re-authentication that found the session still holding it (see hocuspocusAuth's
      // document-close path). It may also never reach the server, or reach it after the
      // session's own refresh replaced it (a socket dropped meanwhile, a loaded machine): then
      // no rejection call is due. So each rejection call answers a refusal, and no spoiled
      // token costs more than one call.
      expect(injected).toBeGreaterThan(0)
      expect(calls.rejected).toBeGreaterThan(0)
      expect(calls.rejected).toBeLessThanOrEqual(injected)
      expect(refusedByServer).toBeGreaterThanOrEqual(calls.rejected)
      expect(refusedByServer).toBeLessThanOrEqual(2 * injected)
      // One call per token lifetime (the session replaces a token half a lifetime after it was
      // minted) per client, plus one per refusal.
      expect(calls.initial).toBe(2)
      expect(calls.proactive).toBeGreaterThan(0)
      expect(calls.proactive).toBeLessThanOrEqual(calls.maxProactive)

      destroy(observer, ...clients)
      observerSession.dispose()
      for (const c of clients) c.session.dispose()
    },
    soakMs() + 90_000,
  )
})
