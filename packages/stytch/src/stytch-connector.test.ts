// @vitest-environment happy-dom
import { isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import { createStytchClient, StytchAPIError, StytchAPIUnreachableError } from '@stytch/vanilla-js'
import { describe, expect, it } from 'vitest'
import {
  checkErrorTable,
  runProviderSuites,
  trackDoubles,
} from '../../../test/support/provider-suites.js'
import { startStytchDouble } from '../test/stytch-double.js'
import { stytchConnector } from './stytch-connector.js'
import { toKeywayStytchError } from './stytch-errors.js'

// No Stytch runs here: the REAL vanilla-js client (in happy-dom: it keeps its session in
// cookies and localStorage) talks to a local DOUBLE of Stytch's SDK API (test/stytch-double.ts).

const doubles = trackDoubles<Awaited<ReturnType<typeof startStytchDouble>>>()

/** Stytch's cookies are per origin, not per project: each device starts without any. */
function clearCookies() {
  for (const pair of document.cookie.split(';')) {
    const name = pair.split('=')[0]!.trim()
    // biome-ignore lint/suspicious/noDocumentCookie: vanilla-js itself keeps its session there (js-cookie)
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  }
}

async function device() {
  clearCookies()
  const double = doubles.add(await startStytchDouble())
  // `endpoints` is vanilla-js's own (internal) option for its API origin.
  const stytch = createStytchClient(double.publicToken, {
    endpoints: { testAPIURL: double.api.origin },
  } as Parameters<typeof createStytchClient>[1])
  let user = ''
  const signInAs = async (name: string) => {
    user = name
    const password = double.passwordOf(name)
    await stytch.passwords.authenticate({
      email: `${name}@keyway.test`,
      password,
      session_duration_minutes: 60,
    })
    return double.userIdOf(name)
  }
  return {
    double,
    stytch,
    connector: stytchConnector(stytch),
    signInAs,
    signOut: () => stytch.session.revoke(),
    revoke: async () => double.revokeUser(user),
  }
}

runProviderSuites({
  name: 'stytch (vanilla-js against a Stytch SDK API double)',
  device,
  outage: doubles.outage,
  providerCalls: () => doubles.latest?.stats.authenticates ?? 0,
  claims: () => ({
    aud: [doubles.latest?.projectId],
    iss: `stytch.com/${doubles.latest?.projectId}`,
  }),
})

describe('stytchConnector (Stytch SDK API double)', () => {
  it('a forced refresh with nobody signed in sends nothing and answers null', async () => {
    const { double, connector } = await device()
    const before = double.api.requests
    expect(await connector.fetchCredentials(fetchOptions({ forceRefresh: true }))).toBeNull()
    expect(double.stats.authenticates).toBe(0)
    expect(double.api.requests).toBeLessThanOrEqual(before + 2) // bootstrap and telemetry only
  })

  it.each([
    [429, 'too_many_requests'],
    [503, 'internal_server_error'],
  ])('a %s (%s) is a transient ERR_PROVIDER and keeps the session', async (status, type) => {
    const { double, stytch, connector, signInAs } = await device()
    await signInAs('alice')
    double.api.mode(status)
    const error = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true }))
      .catch((e: unknown) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect((error as { transient: boolean }).transient).toBe(true)
    expect((error as { cause: StytchAPIError }).cause.error_type).toBe(type)
    expect(stytch.session.getSync()).not.toBeNull()
  })

  it('subscribe: the user_id on sign-in, null on sign-out and on a revoked session', async () => {
    const { double, stytch, connector, signInAs, revoke } = await device()
    const seen: Array<string | null | undefined> = []
    const off = connector.subscribe((userId) => seen.push(userId))
    const alice = await signInAs('alice')
    expect(seen).toEqual([alice])
    await revoke()
    // Stytch's own background refresh (or any caller) meets the revocation and clears the session.
    await stytch.session.authenticate().catch(() => undefined)
    expect(seen).toEqual([alice, null])
    await signInAs('bob')
    await stytch.session.revoke()
    expect(seen).toEqual([alice, null, double.userIdOf('bob'), null])
    off()
    await signInAs('carol')
    expect(seen).toHaveLength(4)
  })
})

const apiError = (status_code: number, error_type: string) =>
  new StytchAPIError({ status_code, error_type, error_message: error_type, error_url: '' })
checkErrorTable('toKeywayStytchError (real vanilla-js error classes)', toKeywayStytchError, [
  [new StytchAPIUnreachableError('Unable to contact our servers.'), 'ERR_NETWORK', true],
  [new TypeError('Load failed'), 'ERR_NETWORK', true],
  [new DOMException('connect ECONNREFUSED', 'NetworkError'), 'ERR_NETWORK', true],
  [apiError(401, 'unauthorized_credentials'), 'ERR_REVOKED', false],
  [apiError(404, 'session_not_found'), 'ERR_REVOKED', false],
  [apiError(401, 'user_unauthenticated'), 'ERR_REVOKED', false],
  [apiError(429, 'too_many_requests'), 'ERR_PROVIDER', true],
  [apiError(500, 'internal_server_error'), 'ERR_PROVIDER', true],
  [new Error('anything else'), 'ERR_PROVIDER', true],
])
