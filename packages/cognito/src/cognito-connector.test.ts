import { AuthError, fetchAuthSession, signIn, signOut } from '@aws-amplify/auth'
import { cognitoUserPoolsTokenProvider } from '@aws-amplify/auth/cognito'
import { Amplify, ConsoleLogger } from '@aws-amplify/core'
import { AmplifyError } from '@aws-amplify/core/internals/utils'
import { decodeJwt, isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'
import {
  checkErrorTable,
  runProviderSuites,
  trackDoubles,
} from '../../../test/support/provider-suites.js'
import { startCognitoDouble } from '../test/cognito-double.js'
import { type CognitoConnectorOptions, cognitoConnector } from './cognito-connector.js'
import { toKeywayCognitoError } from './cognito-errors.js'

// No Cognito runs here: the real Amplify v6 client talks to a local DOUBLE of the Cognito
// user pool API (test/cognito-double.ts) through `userPoolEndpoint`.

// Amplify warns on every configure that the endpoint is custom: true, and expected here.
ConsoleLogger.LOG_LEVEL = 'ERROR'

const doubles = trackDoubles<Awaited<ReturnType<typeof startCognitoDouble>>>()

/** A fresh device: Amplify configured for a new double, with empty token storage. */
async function device(options?: CognitoConnectorOptions) {
  const double = doubles.add(await startCognitoDouble())
  const storage = new Map<string, string>()
  cognitoUserPoolsTokenProvider.setKeyValueStorage({
    setItem: async (k, v) => void storage.set(k, v),
    getItem: async (k) => storage.get(k) ?? null,
    removeItem: async (k) => void storage.delete(k),
    clear: async () => storage.clear(),
  })
  // What `aws-amplify`'s own configure does for a user pool.
  cognitoUserPoolsTokenProvider.setAuthConfig(double.config.Auth)
  Amplify.configure(double.config, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider } })
  let user = ''
  const signInAs = async (name: string) => {
    user = name
    const password = double.passwordOf(name)
    await signIn({ username: name, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } })
    return double.subOf(name)
  }
  return {
    double,
    connector: cognitoConnector(Amplify, options),
    signInAs,
    signOut: () => signOut(),
    revoke: async () => double.revokeUser(user),
  }
}

runProviderSuites({
  name: 'cognito (Amplify v6 against a Cognito API double)',
  device,
  outage: doubles.outage,
  providerCalls: () => doubles.latest?.stats.refreshes ?? 0,
  claims: () => ({
    token_use: 'access',
    client_id: doubles.latest?.config.Auth.Cognito.userPoolClientId,
  }),
})

describe('cognitoConnector (Cognito API double)', () => {
  it("token: 'id' hands out the ID token, whose aud is the app client id", async () => {
    const { double, connector, signInAs } = await device({ token: 'id' })
    await signInAs('alice')
    const creds = await connector.fetchCredentials(fetchOptions())
    expect(decodeJwt(creds!.token).payload).toMatchObject({
      token_use: 'id',
      aud: double.config.Auth.Cognito.userPoolClientId,
    })
  })

  it.each([
    [429, 'TooManyRequestsException'],
    [503, 'InternalErrorException'],
  ])('a %s (%s) after Amplify retried is a transient ERR_PROVIDER', async (status, name) => {
    const { double, connector, signInAs } = await device()
    await signInAs('alice')
    double.api.mode(status)
    const error = await connector
      .fetchCredentials(fetchOptions({ forceRefresh: true }))
      .catch((e: unknown) => e)
    expect(isKeywayError(error, 'ERR_PROVIDER')).toBe(true)
    expect((error as { transient: boolean; cause: Error }).transient).toBe(true)
    expect((error as { cause: Error }).cause.name).toBe(name)
    double.api.mode('ok')
    // Amplify kept its tokens: the user is still signed in.
    expect((await fetchAuthSession()).tokens).toBeDefined()
  })

  it("subscribe: Hub's signedIn with the sub, signedOut, a dead refresh token; not an outage", async () => {
    const { double, connector, signInAs, revoke } = await device()
    const seen: Array<string | null | undefined> = []
    const off = connector.subscribe((userId) => seen.push(userId))
    const sub = await signInAs('alice')
    double.api.mode('down')
    await fetchAuthSession({ forceRefresh: true }).catch(() => undefined)
    double.api.mode('ok')
    expect(seen).toEqual([sub])
    await revoke()
    // Another caller (the app itself) meets the dead refresh token: Amplify clears its tokens.
    await fetchAuthSession({ forceRefresh: true })
    expect(seen).toEqual([sub, null])
    await signInAs('bob')
    await signOut()
    expect(seen).toEqual([sub, null, double.subOf('bob'), null])
    off()
    await signInAs('carol')
    expect(seen).toHaveLength(4)
  })
})

const authError = (name: string) => new AuthError({ name, message: name })
checkErrorTable('toKeywayCognitoError (real Amplify error classes)', toKeywayCognitoError, [
  [new AmplifyError({ name: 'NetworkError', message: 'A network error' }), 'ERR_NETWORK', true],
  [new TypeError('Failed to fetch'), 'ERR_NETWORK', true],
  [authError('NotAuthorizedException'), 'ERR_REVOKED', false],
  [authError('TokenRevokedException'), 'ERR_REVOKED', false],
  [authError('RefreshTokenReuseException'), 'ERR_REVOKED', false],
  [authError('UserNotFoundException'), 'ERR_REVOKED', false],
  [authError('TooManyRequestsException'), 'ERR_PROVIDER', true],
  [authError('InternalErrorException'), 'ERR_PROVIDER', true],
  [new Error('anything else'), 'ERR_PROVIDER', true],
])
