import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authFetch } from './auth-fetch.js'
import { createSession } from './session/create-session.js'
import { createFakeConnector, createTestPlatform } from './testing/index.js'

// A loopback API that accepts only tokens on its allow list and echoes the body it got.
let server: Server
let base: string
const accepted = new Set<string>()
/** When set, every token but these is accepted (a backend that revoked a few). */
let revokedOnly: Set<string> | null = null
const seen: Array<{ auth: string | undefined; body: string }> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      const auth = req.headers.authorization
      seen.push({ auth, body })
      const token = auth?.replace(/^Bearer /, '')
      const ok = token && (revokedOnly ? !revokedOnly.has(token) : accepted.has(token))
      res.statusCode = ok ? 200 : 401
      res.end(JSON.stringify({ body }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

async function setup() {
  const t = createTestPlatform()
  const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
  const session = createSession({ connector, platform: t.platform })
  return { connector, session }
}

describe('authFetch (real HTTP on loopback)', () => {
  it('sends the bearer token', async () => {
    const { session } = await setup()
    const token = await session.getToken()
    accepted.add(token)
    const res = await authFetch(session)(`${base}/notes`)
    expect(res.status).toBe(200)
    expect(seen.at(-1)!.auth).toBe(`Bearer ${token}`)
    session.dispose()
  })

  it('on a 401 reports the rejection and retries once with the new token and the same body', async () => {
    const { connector, session } = await setup()
    const stale = await session.getToken()
    const api = authFetch(session)
    const before = seen.length
    // The backend accepts only tokens minted after the first one.
    const original = connector.fetchCredentials.bind(connector)
    connector.fetchCredentials = async (o) => {
      const creds = await original(o)
      if (creds) accepted.add(creds.token)
      return creds
    }
    const res = await api(`${base}/notes`, { method: 'POST', body: '{"text":"hi"}' })
    expect(res.status).toBe(200)
    expect(seen.length - before).toBe(2)
    expect(seen.at(-2)!.auth).toBe(`Bearer ${stale}`)
    expect(seen.at(-1)!.auth).not.toBe(`Bearer ${stale}`)
    expect(seen.at(-1)!.body).toBe('{"text":"hi"}')
    expect(connector.calls.at(-1)!.reason).toBe('rejected')
    session.dispose()
  })

  it('retries only once: a backend that rejects everything gets two requests, not a loop', async () => {
    const { session } = await setup()
    const before = seen.length
    const res = await authFetch(session)(`${base}/locked`)
    expect(res.status).toBe(401)
    expect(seen.length - before).toBe(2)
    session.dispose()
  })

  it('does not retry a streamed body, which cannot be sent twice', async () => {
    const { session } = await setup()
    const before = seen.length
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('stream'))
        c.close()
      },
    })
    const res = await authFetch(session)(`${base}/upload`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(401)
    expect(seen.length - before).toBe(1)
    session.dispose()
  })

  it('50 concurrent requests with a revoked token: one connector call, every request retried once and answered 200', async () => {
    const { connector, session } = await setup()
    const revoked = await session.getToken()
    revokedOnly = new Set([revoked])
    try {
      const before = connector.callCount
      const sent = seen.length
      const api = authFetch(session)
      const responses = await Promise.all(Array.from({ length: 50 }, () => api(`${base}/notes`)))
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200))
      expect(connector.callCount - before).toBe(1)
      expect(connector.calls.at(-1)!.reason).toBe('rejected')
      const requests = seen.slice(sent)
      expect(requests.filter((r) => r.auth === `Bearer ${revoked}`)).toHaveLength(50)
      const retried = requests.filter((r) => r.auth !== `Bearer ${revoked}`)
      expect(retried).toHaveLength(50)
      expect(new Set(retried.map((r) => r.auth)).size).toBe(1)
    } finally {
      revokedOnly = null
      session.dispose()
    }
  })

  it('six revocations in a row, each followed by an accepted token, all recover (no failure budget spent)', async () => {
    const { connector, session } = await setup()
    const api = authFetch(session)
    revokedOnly = new Set()
    try {
      for (let round = 0; round < 6; round++) {
        // The backend revokes the token in use; the replacement is accepted.
        revokedOnly.add(await session.getToken())
        expect((await api(`${base}/notes`)).status).toBe(200)
      }
      expect(connector.calls.filter((c) => c.reason === 'rejected')).toHaveLength(6)
      expect(session.getSnapshot().status).toBe('authenticated')
      expect(session.getSnapshot().lastError).toBeNull()
    } finally {
      revokedOnly = null
      session.dispose()
    }
  })

  it('a request that cannot be sent rejects with a KeywayError ERR_NETWORK, never a raw TypeError', async () => {
    const { session } = await setup()
    const failing: typeof fetch = async () => {
      throw new TypeError('fetch failed')
    }
    const error = await authFetch(session, { fetch: failing })(`${base}/notes`).catch((e) => e)
    expect(error).toMatchObject({ name: 'KeywayError', code: 'ERR_NETWORK' })
    expect((error as Error).cause).toBeInstanceOf(TypeError)
    session.dispose()
  })
})
