import { createSession, isKeywayError } from '@keyway/core'
import { createTestPlatform } from '@keyway/core/testing'
import { runConnectorConformance } from '@keyway/core/testing/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTokenServer } from '../test/token-server.js'
import { httpConnector } from './http-connector.js'
import { parseRetryAfter } from './retry-after.js'

let server: Awaited<ReturnType<typeof startTokenServer>>
beforeAll(async () => {
  server = await startTokenServer()
})
afterAll(() => server.close())

const abortable = () => ({ signal: new AbortController().signal })

/** A connector whose "browser" carries a session cookie the controls set. */
function withCookieJar() {
  let cookie = ''
  const connector = httpConnector({ url: server.url, headers: () => ({ cookie }) })
  return {
    connector,
    setCookie(value: string) {
      cookie = value
    },
  }
}

runConnectorConformance({
  name: 'http (real token endpoint on loopback)',
  async setup() {
    server.state.mode = 'ok'
    const { connector, setCookie } = withCookieJar()
    return {
      connector,
      controls: {
        signIn: async (user) => setCookie(server.signIn(user)),
        signOut: async () => setCookie(''),
        outage: async (down) => {
          server.state.mode = down ? '503' : 'ok'
        },
        revoke: async () => server.revokeAll(),
      },
    }
  },
})

describe('httpConnector answers', () => {
  it('passes endpoint through and posts forceRefresh and reason', async () => {
    server.state.mode = 'ok'
    const { connector, setCookie } = withCookieJar()
    setCookie(server.signIn('ada'))
    const creds = await connector.fetchCredentials({
      forceRefresh: true,
      reason: 'manual',
      ...abortable(),
    })
    expect(creds?.endpoint).toBe('https://sync.example.test')
  })

  it('maps 429 to a transient error carrying Retry-After', async () => {
    server.state.mode = '429'
    server.state.retryAfter = '42'
    const error = await withCookieJar()
      .connector.fetchCredentials({ forceRefresh: false, reason: 'initial', ...abortable() })
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect(error.transient).toBe(true)
    expect(error.retryAfterMs).toBe(42_000)
    expect(error.response.status).toBe(429)
  })

  it('maps a body without a token to a final error', async () => {
    server.state.mode = 'empty'
    const { connector, setCookie } = withCookieJar()
    setCookie(server.signIn('ada'))
    const error = await connector
      .fetchCredentials({ forceRefresh: false, reason: 'initial', ...abortable() })
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect(error.transient).toBe(false)
  })

  it.each([
    ['a TCP reset in the middle of the body', 'reset-mid-body', 'ERR_NETWORK'],
    ['a truncated JSON body', 'truncated', 'ERR_PROVIDER'],
    ['a body that is not JSON', 'garbage', 'ERR_PROVIDER'],
  ] as const)('maps %s to a transient error, never a final one', async (_, mode, code) => {
    server.state.mode = mode
    const { connector, setCookie } = withCookieJar()
    setCookie(server.signIn('ada'))
    const error = await connector
      .fetchCredentials({ forceRefresh: false, reason: 'initial', ...abortable() })
      .catch((e) => e)
    expect(isKeywayError(error, code)).toBe(true)
    expect(error.transient).toBe(true)
  })

  it('maps a relative URL outside a browser to a final ERR_CONFIG that says why', async () => {
    const relative = httpConnector({ url: '/api/token' })
    const error = await relative
      .fetchCredentials({ forceRefresh: false, reason: 'initial', ...abortable() })
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_CONFIG')).toBe(true)
    expect(error.transient).toBe(false)
    expect(error.message).toMatch(/relative URL needs a page origin/)
    expect(error.message).toMatch(/in Node or React Native pass an absolute URL/)
  })

  it('maps a refused connection to a transient ERR_NETWORK', async () => {
    const dead = httpConnector({ url: 'http://127.0.0.1:9/token' })
    const error = await dead
      .fetchCredentials({ forceRefresh: false, reason: 'initial', ...abortable() })
      .catch((e) => e)
    expect(isKeywayError(error, 'ERR_NETWORK')).toBe(true)
    expect(error.transient).toBe(true)
  })

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7_000)
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
  })
})

/** A session on the fake clock over a connector whose cookie signs `ada` in. */
function signedInSession() {
  server.state.mode = 'ok'
  const t = createTestPlatform({ startWall: Date.now() })
  const { connector, setCookie } = withCookieJar()
  setCookie(server.signIn('ada'))
  return { t, session: createSession({ connector, platform: t.platform }), setCookie }
}

describe('a Session built on httpConnector survives', () => {
  it('a token response reset mid-body: token kept, status unchanged, next fetch succeeds', async () => {
    const { session } = signedInSession()
    const token = await session.getToken()
    server.state.mode = 'reset-mid-body'
    const failure = await session.refresh().catch((e) => e)
    expect(isKeywayError(failure, 'ERR_NETWORK')).toBe(true)
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).toBe(token)
    server.state.mode = 'ok'
    await session.refresh()
    expect(await session.getToken()).not.toBe(token)
    session.dispose()
  })

  it('a provider outage: token kept, status unchanged', async () => {
    const { t, session } = signedInSession()
    const token = await session.getToken()
    server.state.mode = '503'
    await session.refresh().catch(() => undefined)
    await t.clock.advance(20_000)
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).toBe(token)
    expect(session.getSnapshot().counters.failures).toBeGreaterThanOrEqual(1)
    server.state.mode = 'ok'
    session.dispose()
  })

  it('a revoked session: signedOut, and no loop', async () => {
    const { t, session } = signedInSession()
    await session.getToken()
    server.revokeAll()
    const before = server.state.requests
    await session.refresh()
    await t.clock.advance(30 * 60_000)
    expect(session.getSnapshot().status).toBe('signedOut')
    expect(server.state.requests - before).toBe(1)
    session.dispose()
  })

  it('a user switch: new userId, the old token never returned again', async () => {
    const { session, setCookie } = signedInSession()
    const ada = await session.getToken()
    setCookie(server.signIn('grace'))
    // No provider SDK to signal the switch: the app calls refresh() after its own sign-in.
    await session.refresh()
    expect(session.getSnapshot().userId).toBe('grace')
    for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(ada)
    session.dispose()
  })
})
