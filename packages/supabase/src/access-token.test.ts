import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { authFetch, createSession, decodeJwt } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import { createClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { supabaseAccessToken } from './access-token.js'

// A local stand-in for Supabase's REST endpoint (PostgREST) with third-party auth: it records
// the Authorization header and answers 401 for an expired or revoked token.
let server: Server
let url: string
const seen: string[] = []
const revoked = new Set<string>()
let now = () => Date.now()

beforeAll(async () => {
  server = createServer((req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
    seen.push(token)
    const exp = (() => {
      try {
        return decodeJwt(token).payload.exp ?? 0
      } catch {
        return 0
      }
    })()
    res.setHeader('content-type', 'application/json')
    if (revoked.has(token) || exp * 1000 <= now()) {
      res.statusCode = 401
      return res.end('{"code":"PGRST301","message":"JWT expired"}')
    }
    res.end('[{"id":1,"body":"hello"}]')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

async function setup() {
  const t = createTestPlatform({ startWall: Date.now() })
  now = t.clock.wallNow
  const connector = await createFakeConnector({
    lifetimeSec: 60,
    now: t.clock.wallNow,
    track: t.track,
  })
  const session = createSession({ connector, platform: t.platform })
  const supabase = createClient(url, 'anon-key', {
    accessToken: supabaseAccessToken(session),
    global: { fetch: authFetch(session) },
    realtime: { transport: class NoRealtime {} as never },
  })
  return { t, connector, session, supabase }
}

describe('supabaseAccessToken with the real supabase-js client', () => {
  it('sends the session token, from the cache: 20 queries, 1 connector call', async () => {
    const { connector, session, supabase } = await setup()
    for (let i = 0; i < 20; i++) {
      const { data, error } = await supabase.from('notes').select()
      expect(error).toBeNull()
      expect(data).toEqual([{ id: 1, body: 'hello' }])
    }
    expect(connector.callCount).toBe(1)
    expect(seen.at(-1)).toBe(await session.getToken())
    session.dispose()
  })

  it('never sends an expired token: after expiry the query carries a fresh one', async () => {
    const { t, session, supabase } = await setup()
    const first = await session.getToken()
    await t.clock.advance(70_000)
    const { error } = await supabase.from('notes').select()
    expect(error).toBeNull()
    expect(seen.at(-1)).not.toBe(first)
    session.dispose()
  })

  it('a 401 for a revoked token is retried once with a new one', async () => {
    const { connector, session, supabase } = await setup()
    const token = await session.getToken()
    revoked.add(token)
    const { data, error } = await supabase.from('notes').select()
    expect(error).toBeNull()
    expect(data).toHaveLength(1)
    expect(connector.calls.at(-1)!.reason).toBe('rejected')
    expect(seen.slice(-2)[0]).toBe(token)
    session.dispose()
  })

  it('answers null when signed out, so supabase-js sends the anon key instead', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({
      user: null,
      now: t.clock.wallNow,
      track: t.track,
    })
    const session = createSession({ connector, platform: t.platform })
    expect(await supabaseAccessToken(session)()).toBeNull()
    session.dispose()
  })
})
