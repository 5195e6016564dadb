import { createSession, isKeywayError } from '@keyway/core'
import { createTestPlatform } from '@keyway/core/testing'
import { runConnectorConformance } from '@keyway/core/testing/vitest'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGoTrueDouble } from '../test/gotrue-double.js'
import { supabaseConnector } from './supabase-connector.js'
import { upgradeAnonymousUser } from './upgrade-anonymous.js'

// The real supabase-js client against a local HTTP DOUBLE of the GoTrue Auth API.
let gotrue: Awaited<ReturnType<typeof startGoTrueDouble>>
beforeAll(async () => {
  gotrue = await startGoTrueDouble()
})
afterAll(() => gotrue.close())

let clients = 0
function client(): SupabaseClient {
  return createClient(gotrue.url, 'anon-key-for-the-double', {
    auth: {
      autoRefreshToken: false,
      persistSession: true,
      storageKey: `sb-test-${++clients}`,
      storage: memoryStorage(),
    },
    // Node 20 has no native WebSocket and these tests use no realtime channel.
    realtime: { transport: class NoRealtime {} as never },
  })
}
function memoryStorage() {
  const data = new Map<string, string>()
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  }
}

const PASSWORD = 'correct horse battery'
async function signIn(c: SupabaseClient, email: string) {
  const up = await c.auth.signUp({ email, password: PASSWORD })
  if (up.error) {
    const { error } = await c.auth.signInWithPassword({ email, password: PASSWORD })
    if (error) throw error
  }
}

runConnectorConformance({
  name: 'supabase (real supabase-js against a GoTrue HTTP double)',
  async setup() {
    const c = client()
    const run = clients
    return {
      connector: supabaseConnector(c),
      controls: {
        signIn: (user) => signIn(c, `${user}-${run}@keyway.test`),
        signOut: async () => {
          await c.auth.signOut()
        },
        outage: async (down) => gotrue.outage(down ? 'down' : 'ok'),
        revoke: async () => {
          const { data } = await c.auth.getSession()
          gotrue.revokeUser(data.session!.user.id)
        },
      },
    }
  },
})

describe('supabaseConnector against a GoTrue HTTP double', () => {
  it('maps a reused (rotated) refresh token to a final error', async () => {
    const c = client()
    await signIn(c, `errors-${Date.now()}@keyway.test`)
    const connector = supabaseConnector(c)
    const o = {
      forceRefresh: true,
      reason: 'proactive' as const,
      signal: new AbortController().signal,
    }
    // Another client replays this session's (already rotated) refresh token: reuse detected.
    const stolen = (await c.auth.getSession()).data.session!
    await connector.fetchCredentials(o)
    const thief = client()
    await thief.auth.setSession({
      access_token: stolen.access_token,
      refresh_token: stolen.refresh_token,
    })
    const reuse = await supabaseConnector(thief)
      .fetchCredentials(o)
      .catch((e) => e)
    expect(isKeywayError(reuse, 'ERR_REVOKED')).toBe(true)
    expect(reuse.transient).toBe(false)
  })
})

describe('a Session on supabaseConnector survives (GoTrue HTTP double)', () => {
  it('an outage: token kept, status unchanged', async () => {
    const c = client()
    await signIn(c, `outage-${Date.now()}@keyway.test`)
    const t = createTestPlatform({ startWall: Date.now() })
    const session = createSession({ connector: supabaseConnector(c), platform: t.platform })
    const token = await session.getToken()
    gotrue.outage('down')
    try {
      // supabase-js keeps retrying inside the call; the session's 15 s timeout ends the wait.
      const refresh = session.refresh().catch((e) => e)
      await t.clock.advance(15_000)
      expect(isKeywayError(await refresh, 'ERR_TIMEOUT')).toBe(true)
      expect(session.getSnapshot().status).toBe('authenticated')
      expect(await session.getToken()).toBe(token)
    } finally {
      gotrue.outage('ok')
      session.dispose()
    }
  })

  it('a revoked user: error or signedOut, no loop', async () => {
    const c = client()
    await signIn(c, `revoked-${Date.now()}@keyway.test`)
    const t = createTestPlatform({ startWall: Date.now() })
    const session = createSession({ connector: supabaseConnector(c), platform: t.platform })
    await session.getToken()
    gotrue.revokeUser((await c.auth.getSession()).data.session!.user.id)
    await session.refresh().catch(() => undefined)
    expect(['error', 'signedOut']).toContain(session.getSnapshot().status)
    const requests = gotrue.state.requests
    await t.clock.advance(30 * 60_000)
    expect(gotrue.state.requests - requests).toBeLessThanOrEqual(1)
    session.dispose()
  })

  it('a user switch: new userId, the old token never handed out again', async () => {
    const c = client()
    await signIn(c, `first-${Date.now()}@keyway.test`)
    const session = createSession({
      connector: supabaseConnector(c),
      platform: createTestPlatform({ startWall: Date.now() }).platform,
    })
    const first = await session.getToken()
    await signIn(c, `second-${Date.now()}@keyway.test`)
    await new Promise((r) => setTimeout(r, 20))
    for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(first)
    expect(session.getSnapshot().userId).toBe((await c.auth.getSession()).data.session!.user.id)
    session.dispose()
  })
})

describe('provider-native anonymous users (GoTrue HTTP double)', () => {
  it('promoted: signInAnonymously then updateUser keeps the id', async () => {
    const c = client()
    const { data } = await c.auth.signInAnonymously()
    const result = await upgradeAnonymousUser(c, {
      email: `promoted-${Date.now()}@keyway.test`,
      password: PASSWORD,
    })
    expect(result.outcome).toBe('promoted')
    if (result.outcome === 'promoted') expect(result.user.id).toBe(data.user!.id)
  })

  it('an existing identity → linked_existing, the anonymous session kept', async () => {
    const email = `taken-${Date.now()}@keyway.test`
    await signIn(client(), email)
    const c = client()
    const { data } = await c.auth.signInAnonymously()
    const result = await upgradeAnonymousUser(c, { email, password: PASSWORD })
    expect(result.outcome).toBe('linked_existing')
    expect((await c.auth.getSession()).data.session?.user.id).toBe(data.user!.id)
  })
})
