// @vitest-environment happy-dom
import createSdk from '@descope/web-js-sdk'
import { isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import {
  checkErrorTable,
  runProviderSuites,
  trackDoubles,
} from '../../../test/support/provider-suites.js'
import { startDescopeDouble } from '../test/descope-double.js'
import { descopeConnector } from './descope-connector.js'
import { toKeywayDescopeError } from './descope-errors.js'

// No Descope runs here: the REAL web-js-sdk (in happy-dom: it persists its tokens in
// localStorage) talks to a local DOUBLE of the Descope auth API (test/descope-double.ts).

// web-js-sdk logs every timer and refresh with console.debug, unconditionally.
beforeAll(() => void vi.spyOn(console, 'debug').mockImplementation(() => {}))

const doubles = trackDoubles<Awaited<ReturnType<typeof startDescopeDouble>>>()

async function device() {
  localStorage.clear() // a new device: Descope's DS / DSR keys are per origin, not per project
  const double = doubles.add(await startDescopeDouble())
  const sdk = createSdk({
    projectId: double.projectId,
    baseUrl: double.api.origin,
    persistTokens: true,
    autoRefresh: true,
  })
  let user = ''
  const signInAs = async (name: string) => {
    user = name
    const res = await sdk.password.signIn(`${name}@keyway.test`, double.passwordOf(name))
    if (!res.ok) throw new Error(`sign-in failed: ${res.code}`)
    return double.userIdOf(name)
  }
  return {
    double,
    sdk,
    connector: descopeConnector(sdk),
    signInAs,
    signOut: () => sdk.logout(),
    revoke: async () => double.revokeUser(user),
  }
}

runProviderSuites({
  name: 'descope (web-js-sdk against a Descope API double)',
  device,
  outage: doubles.outage,
  providerCalls: () => doubles.latest?.stats.refreshes ?? 0,
  claims: () => ({ iss: `https://api.descope.com/${doubles.latest?.projectId}` }),
})

describe('descopeConnector (Descope API double)', () => {
  // 500, not 503: core-js-sdk retries a 503 inside one call for 10 s (100 ms, 5 s, 5 s).
  it('a 500 is a transient ERR_PROVIDER and the SDK keeps its tokens', async () => {
    const { double, sdk, connector, signInAs } = await device()
    await signInAs('alice')
    double.api.mode(500)
    const error = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true }))
      .catch((e: unknown) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect((error as { transient: boolean }).transient).toBe(true)
    expect(sdk.getSessionToken()).not.toBe('')
  })

  it('a 429 is a transient ERR_PROVIDER with Retry-After; web-js-sdk drops its tokens, the connector reports no sign-out and refreshes with the kept refresh JWT', async () => {
    const { double, sdk, connector, signInAs } = await device()
    const alice = await signInAs('alice')
    const seen: Array<string | null | undefined> = []
    connector.subscribe((userId) => seen.push(userId))
    double.api.mode(429)
    const error = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true }))
      .catch((e: unknown) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect((error as { retryAfterMs: number }).retryAfterMs).toBe(7000)
    // web-js-sdk treats every 4xx on /v1/auth/refresh as an invalid session (its
    // isInvalidSessionResponse): it clears its tokens and publishes null. This test notices
    // when Descope changes it.
    expect(sdk.getSessionToken()).toBeFalsy()
    expect(sdk.getRefreshToken()).toBeFalsy()
    expect(seen).toEqual([])
    double.api.mode('ok')
    const back = await connector.fetchCredentials(fetchOptions())
    expect(JSON.parse(atob(back!.token.split('.')[1]!)).sub).toBe(alice)
    expect(sdk.getSessionToken()).toBe(back!.token)
    expect(seen).toEqual([alice])
  })

  it('subscribe: the sub on sign-in, null on logout and on a revoked session; not an outage', async () => {
    const { double, sdk, connector, signInAs, revoke } = await device()
    const seen: Array<string | null | undefined> = []
    const off = connector.subscribe((userId) => seen.push(userId))
    const alice = await signInAs('alice')
    expect(seen).toEqual([alice])
    double.api.mode('down')
    await sdk.refresh().catch(() => undefined)
    double.api.mode('ok')
    expect(seen).toEqual([alice])
    await revoke()
    await sdk.refresh() // Descope's own auto-refresh timer, or any caller, meets the revocation
    expect(seen).toEqual([alice, null])
    await signInAs('bob')
    await sdk.logout()
    expect(seen).toEqual([alice, null, double.userIdOf('bob'), null])
    off()
    await signInAs('carol')
    expect(seen).toHaveLength(4)
  })
})

const failed = (code: number, errorCode: string, retryAfter?: number) => ({
  ok: false,
  code,
  error: { errorCode, errorDescription: errorCode, retryAfter },
})
checkErrorTable('toKeywayDescopeError (core-js-sdk answers)', toKeywayDescopeError, [
  [new TypeError('Failed to fetch'), 'ERR_NETWORK', true],
  [new DOMException('connect ECONNREFUSED', 'NetworkError'), 'ERR_NETWORK', true],
  [failed(401, 'E061301'), 'ERR_REVOKED', false],
  [failed(403, 'E061302'), 'ERR_REVOKED', false],
  [failed(429, 'E130429', 3), 'ERR_PROVIDER', true],
  [failed(500, 'E010000'), 'ERR_PROVIDER', true],
  [new Error('anything else'), 'ERR_PROVIDER', true],
])
