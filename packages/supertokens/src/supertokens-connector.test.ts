// @vitest-environment happy-dom
import { isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import SuperTokens from 'supertokens-web-js'
import EmailPassword from 'supertokens-web-js/recipe/emailpassword'
import Session from 'supertokens-web-js/recipe/session'
import { fetch as undiciFetch } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  checkErrorTable,
  eventually,
  runProviderSuites,
} from '../../../test/support/provider-suites.js'
import { startSuperTokensDouble } from '../test/supertokens-double.js'
import { type SuperTokensConnector, superTokensConnector } from './supertokens-connector.js'
import { toKeywaySuperTokensError } from './supertokens-errors.js'

// No SuperTokens backend runs here: the REAL supertokens-web-js (in happy-dom: it keeps its
// tokens in cookies and wraps window.fetch) talks to a local DOUBLE of a SuperTokens backend
// (test/supertokens-double.ts). SuperTokens.init runs once per page, so every test shares one
// double and starts as a new device (no cookies, no storage) with a new connector.

let double: Awaited<ReturnType<typeof startSuperTokensDouble>>
let current: SuperTokensConnector | undefined
beforeAll(async () => {
  // The SDK reads and clones every response (supertokens-website's fetch wrapper and its
  // Querier). happy-dom's Response.clone() shares one body stream, so whichever copy is read
  // second is empty; Node's own fetch (undici) clones as browsers do.
  window.fetch = undiciFetch as unknown as typeof window.fetch
  double = await startSuperTokensDouble()
  SuperTokens.init({
    appInfo: { appName: 'keyway', apiDomain: double.api.origin, apiBasePath: '/auth' },
    recipeList: [
      // Events go to the connector of the current test, as an app passes its one connector's.
      Session.init({
        tokenTransferMethod: 'header',
        onHandleEvent: (e) => current?.onHandleEvent(e),
      }),
      EmailPassword.init(),
    ],
  })
})
afterAll(() => double.api.close())
afterEach(() => double.api.mode('ok'))

function clearDevice() {
  localStorage.clear()
  for (const pair of document.cookie.split(';')) {
    const name = pair.split('=')[0]!.trim()
    // biome-ignore lint/suspicious/noDocumentCookie: supertokens-website itself keeps its tokens there
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  }
}

async function device() {
  clearDevice()
  current = superTokensConnector(Session)
  let user = ''
  const signInAs = async (name: string) => {
    user = name
    const formFields = [
      { id: 'email', value: `${name}@keyway.test` },
      { id: 'password', value: double.passwordOf(name) },
    ]
    const res = await EmailPassword.signIn({ formFields })
    if (res.status !== 'OK') throw new Error(`sign-in failed: ${res.status}`)
    return double.userIdOf(name)
  }
  return {
    connector: current,
    signInAs,
    signOut: () => Session.signOut(),
    revoke: async () => double.revokeUser(user),
  }
}

runProviderSuites({
  name: 'supertokens (supertokens-web-js against a SuperTokens backend double)',
  device,
  outage: (down) => double.api.mode(down ? 'down' : 'ok'),
  providerCalls: () => double.stats.refreshes,
  claims: () => ({ tId: 'public', iss: `${double.api.origin}/auth` }),
})

describe('superTokensConnector (SuperTokens backend double)', () => {
  it.each([
    [429, 7000],
    [503, undefined],
  ])(
    'a %s is a transient ERR_PROVIDER (retryAfterMs %s) and keeps the session',
    async (status, retryAfterMs) => {
      const { connector, signInAs } = await device()
      await signInAs('alice')
      double.api.mode(status)
      const error = await connector
        .fetchCredentials(fetchOptions({ forceRefresh: true }))
        .catch((e: unknown) => e)
      double.api.mode('ok')
      expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
      expect((error as { transient: boolean }).transient).toBe(true)
      expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(retryAfterMs)
      expect(await Session.doesSessionExist()).toBe(true)
    },
  )

  it('subscribe: the user id on sign-in, null on sign-out and on a revoked session; not an outage', async () => {
    const { connector, signInAs, revoke } = await device()
    const seen: Array<string | null | undefined> = []
    const off = connector.subscribe((userId) => seen.push(userId))
    const alice = await signInAs('alice')
    await eventually(() => seen.length >= 1)
    expect(seen).toEqual([alice])
    double.api.mode('down')
    await Session.attemptRefreshingSession().catch(() => undefined)
    double.api.mode('ok')
    expect(seen).toEqual([alice])
    await revoke()
    expect(await Session.attemptRefreshingSession()).toBe(false) // SuperTokens ends the session
    expect(seen).toEqual([alice, null])
    await signInAs('bob')
    await eventually(() => seen.length >= 3)
    await Session.signOut()
    expect(seen).toEqual([alice, null, double.userIdOf('bob'), null])
    off()
    await signInAs('carol')
    await new Promise((r) => setTimeout(r, 20))
    expect(seen).toHaveLength(4)
  })
})

const response = (status: number, headers?: Record<string, string>) =>
  new Response('{}', { status, headers })
checkErrorTable(
  'toKeywaySuperTokensError (what supertokens-website throws)',
  toKeywaySuperTokensError,
  [
    [new TypeError('Failed to fetch'), 'ERR_NETWORK', true],
    [new DOMException('connect ECONNREFUSED', 'NetworkError'), 'ERR_NETWORK', true],
    [response(401), 'ERR_REVOKED', false],
    [response(403), 'ERR_REVOKED', false],
    [response(429, { 'retry-after': '3' }), 'ERR_PROVIDER', true],
    [response(500), 'ERR_PROVIDER', true],
    [new Error('anything else'), 'ERR_PROVIDER', true],
  ],
)
