import { createSession, decodeJwt, isKeywayError } from '@keyway/core'
import { createTestPlatform, fetchOptions, waitFor } from '@keyway/core/testing'
import { runConnectorConformance, runErrorMapping } from '@keyway/core/testing/vitest'
import {
  AuthApiError,
  AuthRetryableFetchError,
  createClient,
  type SupabaseClient,
} from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startGoTrueDouble } from '../test/gotrue-double.js'
import { supabaseConnector } from './supabase-connector.js'
import { toKeywaySupabaseError } from './supabase-errors.js'
import { upgradeAnonymousUser } from './upgrade-anonymous.js'

// The real supabase-js client against a local HTTP DOUBLE of the GoTrue Auth API.
let gotrue: Awaited<ReturnType<typeof startGoTrueDouble>>
beforeAll(async () => {
  gotrue = await startGoTrueDouble()
})
afterAll(() => gotrue.close())

let clients = 0
/** A supabase-js client; given another client's storage, it is another tab of that origin. */
function client(
  storage = memoryStorage(),
  storageKey = `sb-test-${++clients}`,
): SupabaseClient & { storage: ReturnType<typeof memoryStorage>; storageKey: string } {
  const c = createClient(gotrue.url, 'anon-key-for-the-double', {
    auth: { autoRefreshToken: false, persistSession: true, storageKey, storage },
    // Node 20 has no native WebSocket and these tests use no realtime channel.
    realtime: { transport: class NoRealtime {} as never },
  })
  return Object.assign(c, { storage, storageKey })
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
      another: () => supabaseConnector(client(c.storage, c.storageKey)),
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
        // What autoRefreshToken would do: during an outage it fails and keeps the session.
        poll: async () => {
          await c.auth.refreshSession()
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
    const fetches = session.getSnapshot().counters.fetches
    await signIn(c, `second-${Date.now()}@keyway.test`)
    // supabase-js tells its listeners asynchronously: wait (bounded) until the session has
    // heard of the switch and called for the new user's token, not a fixed time.
    await waitFor(() => session.getSnapshot().counters.fetches > fetches)
    for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(first)
    expect(session.getSnapshot().userId).toBe((await c.auth.getSession()).data.session!.user.id)
    session.dispose()
  })
})

describe('supabaseConnector when supabase-js deletes its session (GoTrue HTTP double)', () => {
  it('a 429 once the access token expired: the SDK deletes its session; the connector reports no sign-out and hands the tokens back once the limit is over', async () => {
    // Tokens living 1 s: expired at the next call (and always inside the SDK's 90 s margin).
    gotrue.state.lifetimeSec = 1
    const c = client()
    const connector = supabaseConnector(c)
    const seen: Array<string | null | undefined> = []
    const off = connector.subscribe((userId) => seen.push(userId))
    try {
      await signIn(c, `limited-${Date.now()}@keyway.test`)
      const first = await connector.fetchCredentials(fetchOptions())
      const user = decodeJwt(first!.token).payload.sub
      const signedIn = seen.length
      await new Promise((r) => setTimeout(r, 1100))
      gotrue.outage('429')
      const error = await connector.fetchCredentials(fetchOptions()).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'ERR_PROVIDER', transient: true })
      // What supabase-js did (GoTrueClient _callRefreshToken): its session is gone.
      expect(c.storage.getItem(c.storageKey)).toBeNull()
      gotrue.outage('ok')
      // It answers its cached failure for 60 s (REFRESH_FAILURE_COOLDOWN_MS, read from Date).
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + 61_000)
      const back = await connector.fetchCredentials(fetchOptions())
      expect(decodeJwt(back!.token).payload.sub).toBe(user)
      expect(c.storage.getItem(c.storageKey)).not.toBeNull()
      expect(seen.slice(signedIn)).not.toContain(null)
      expect(seen.at(-1)).toBe(user)
    } finally {
      vi.useRealTimers()
      gotrue.outage('ok')
      gotrue.state.lifetimeSec = 3600
      off()
    }
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

runErrorMapping({
  name: 'toKeywaySupabaseError (auth-js error classes from supabase-js)',
  map: toKeywaySupabaseError,
  failures: {
    // auth-js: a fetch that threw is status 0; 5xx (and Cloudflare 52x) are retryable too.
    network: [new AuthRetryableFetchError('fetch failed', 0)],
    timeout: [], // auth-js sets no timeout of its own: the session's 15 s applies
    serverError: [
      new AuthRetryableFetchError('Bad Gateway', 502),
      new AuthRetryableFetchError('', 503),
    ],
    rateLimited: [new AuthApiError('Request rate limit reached', 429, 'over_request_rate_limit')],
    rateLimitedFor7s: [], // AuthApiError carries no Retry-After
    revoked: [
      new AuthApiError('Invalid Refresh Token: Already Used', 400, 'refresh_token_already_used'),
      new AuthApiError('User is banned', 403, 'user_banned'),
      new AuthApiError('Invalid Refresh Token', 400, undefined as never),
    ],
    setup: [new AuthApiError('Invalid API key', 401, 'no_authorization')],
  },
})
