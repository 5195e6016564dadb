// @vitest-environment happy-dom
import { isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import { createClient, type IAuthClient } from '@propelauth/javascript'
import { afterEach, describe, expect, it } from 'vitest'
import {
  checkErrorTable,
  eventually,
  runProviderSuites,
  trackDoubles,
} from '../../../test/support/provider-suites.js'
import { startPropelAuthDouble } from '../test/propelauth-double.js'
import { propelAuthConnector } from './propelauth-connector.js'
import { toKeywayPropelAuthError } from './propelauth-errors.js'

// No PropelAuth runs here: the REAL @propelauth/javascript client (in happy-dom: the auth
// domain's session is a cookie, and the client listens to focus and storage) talks to a local
// DOUBLE of a PropelAuth auth domain (test/propelauth-double.ts).

const doubles = trackDoubles<Awaited<ReturnType<typeof startPropelAuthDouble>>>()
const clients: IAuthClient[] = []
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

async function device() {
  localStorage.clear()
  const double = doubles.add(await startPropelAuthDouble())
  // No background refresh and no fetch on load: keyway decides when to refresh.
  const client = createClient({
    authUrl: double.api.origin,
    enableBackgroundTokenRefresh: false,
  })
  clients.push(client)
  let user = ''
  /** The user signs in on the hosted page (another tab), then comes back to this one. */
  const signInAs = async (name: string) => {
    user = name
    const userId = await double.signIn(name)
    window.dispatchEvent(new Event('focus'))
    // The focus handler's fetch is under way; this call joins it (the client dedups requests).
    await client.getAuthenticationInfoOrNull()
    return userId
  }
  return {
    double,
    client,
    connector: propelAuthConnector(client),
    signInAs,
    signOut: () => client.logout(false),
    revoke: async () => double.revokeUser(user),
  }
}

runProviderSuites({
  name: 'propelauth (@propelauth/javascript against a PropelAuth auth domain double)',
  device,
  outage: doubles.outage,
  providerCalls: () => doubles.latest?.stats.refreshes ?? 0,
  claims: () => ({ iss: doubles.latest?.api.origin }),
})

describe('propelAuthConnector (PropelAuth auth domain double)', () => {
  it('a failed forced refresh is transient and reports no sign-out, though the client dropped its session', async () => {
    const { double, client, connector, signInAs } = await device()
    const alice = await signInAs('alice')
    await connector.fetchCredentials(fetchOptions())
    const seen: Array<string | null | undefined> = []
    connector.subscribe((userId) => seen.push(userId))
    double.api.mode(503)
    const error = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true }))
      .catch((e: unknown) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect((error as { transient: boolean }).transient).toBe(true)
    expect(seen).toEqual([])
    // What the connector held back: @propelauth/javascript forgot the user on that failure.
    double.api.mode('ok')
    expect((await client.getAuthenticationInfoOrNull())?.user.userId).toBe(alice)
    expect(seen).toEqual([alice])
  })

  it('subscribe: the user on sign-in, null on logout and on a revoked session', async () => {
    const { double, client, connector, signInAs, revoke } = await device()
    const seen: Array<string | null | undefined> = []
    const off = connector.subscribe((userId) => seen.push(userId))
    const alice = await signInAs('alice')
    await eventually(() => seen.length >= 1)
    expect(seen).toEqual([alice])
    await revoke()
    expect(await connector.fetchCredentials(fetchOptions({ forceRefresh: true }))).toBeNull()
    expect(seen).toEqual([alice, null])
    await signInAs('bob')
    await eventually(() => seen.length >= 3)
    await client.logout(false)
    expect(seen).toEqual([alice, null, double.userIdOf('bob'), null])
    off()
    await signInAs('carol')
    await new Promise((r) => setTimeout(r, 50))
    expect(seen).toHaveLength(4)
  })
})

checkErrorTable(
  'toKeywayPropelAuthError (what @propelauth/javascript rejects with)',
  toKeywayPropelAuthError,
  [
    [new TypeError('Failed to fetch'), 'ERR_NETWORK', true],
    [new DOMException('connect ECONNREFUSED', 'NetworkError'), 'ERR_NETWORK', true],
    [{ status: 403, message: 'Forbidden' }, 'ERR_REVOKED', false],
    [{ status: 429, message: 'Too Many Requests' }, 'ERR_PROVIDER', true],
    [{ status: 503, message: 'Unable to process authentication response' }, 'ERR_PROVIDER', true],
    [new Error('anything else'), 'ERR_PROVIDER', true],
  ],
)
