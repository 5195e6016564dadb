/**
 * A local DOUBLE of the Amazon Cognito user pool API (`cognito-idp`), for testing the real
 * Amplify v6 client (`@aws-amplify/auth`): no Cognito can run here. Amplify reaches it
 * through `Auth.Cognito.userPoolEndpoint`. It answers what Amplify 6.21 sends, read from its
 * code: `POST /` with `content-type: application/x-amz-json-1.1` and
 * `x-amz-target: AWSCognitoIdentityProviderService.<Operation>`:
 *
 * - `InitiateAuth` `USER_PASSWORD_AUTH` (a sign-in) and `REFRESH_TOKEN_AUTH` (how Amplify
 *   refreshed before 6.15), `GetTokensFromRefreshToken` (how it refreshes now);
 * - `RevokeToken` (Amplify's `signOut()`, since the tokens carry `origin_jti`), `GlobalSignOut`;
 * - errors as Cognito sends them: status 400, `x-amzn-errortype` and `{ __type, message }`
 *   (`NotAuthorizedException` for a revoked refresh token), which Amplify's `parseJsonError`
 *   turns into an `AuthError` named after the type; an outage is `InternalErrorException` 500
 *   or `TooManyRequestsException`.
 *
 * Tokens are real ES256 JWTs: an access token (`token_use: 'access'`, `client_id`) and an ID
 * token (`token_use: 'id'`, `aud` = the client id), `sub` = the user's id, one hour.
 */
import { randomUUID } from 'node:crypto'
import { createTokenMinter } from '@keyway/core/testing'
import { type DoubleReply, startApiDouble } from '../../../test/support/api-double.js'

const error = (type: string, message: string, status = 400): DoubleReply => ({
  status,
  headers: { 'x-amzn-errortype': `${type}:` },
  body: { __type: type, message },
})

export async function startCognitoDouble() {
  const userPoolId = 'us-east-1_KEYWAYtst'
  const userPoolClientId = 'keywaytestclient'
  const minter = await createTokenMinter({
    issuer: `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`,
  })
  /** Refresh token → the session it belongs to. */
  const sessions = new Map<string, { user: string; originJti: string; revoked: boolean }>()
  const stats = { refreshes: 0 }

  const subs = new Map<string, string>()
  /** Cognito's `sub`: a UUID per user, stable across sessions. */
  const subOf = (user: string) => subs.get(user) ?? subs.set(user, randomUUID()).get(user)!

  async function authenticationResult(refreshToken: string, withRefreshToken: boolean) {
    const { user, originJti } = sessions.get(refreshToken)!
    const common = { sub: subOf(user), origin_jti: originJti, event_id: randomUUID() }
    return {
      AuthenticationResult: {
        AccessToken: await minter.mint({
          ...common,
          token_use: 'access',
          client_id: userPoolClientId,
          scope: 'aws.cognito.signin.user.admin',
          username: user,
        }),
        IdToken: await minter.mint({
          ...common,
          token_use: 'id',
          aud: userPoolClientId,
          'cognito:username': user,
        }),
        ...(withRefreshToken ? { RefreshToken: refreshToken } : {}),
        ExpiresIn: 3600,
        TokenType: 'Bearer',
      },
      ChallengeParameters: {},
    }
  }

  async function refresh(refreshToken: unknown): Promise<DoubleReply> {
    stats.refreshes++
    const session = sessions.get(String(refreshToken))
    if (!session) return error('NotAuthorizedException', 'Invalid Refresh Token')
    if (session.revoked) return error('NotAuthorizedException', 'Refresh Token has been revoked')
    return { body: await authenticationResult(String(refreshToken), false) }
  }

  const api = await startApiDouble(
    async ({ method, headers, body }) => {
      const operation = String(headers['x-amz-target'] ?? '').split('.')[1]
      if (method !== 'POST' || body.ClientId !== userPoolClientId)
        return error('ResourceNotFoundException', 'User pool client does not exist.')
      const params = (body.AuthParameters ?? {}) as Record<string, string>
      if (operation === 'InitiateAuth' && body.AuthFlow === 'USER_PASSWORD_AUTH') {
        if (params.PASSWORD !== `${params.USERNAME}-password`)
          return error('NotAuthorizedException', 'Incorrect username or password.')
        const refreshToken = `rt-${randomUUID()}`
        sessions.set(refreshToken, {
          user: params.USERNAME!,
          originJti: randomUUID(),
          revoked: false,
        })
        return { body: await authenticationResult(refreshToken, true) }
      }
      if (operation === 'InitiateAuth' && body.AuthFlow === 'REFRESH_TOKEN_AUTH')
        return refresh(params.REFRESH_TOKEN)
      if (operation === 'GetTokensFromRefreshToken') return refresh(body.RefreshToken)
      if (operation === 'RevokeToken') {
        const session = sessions.get(String(body.Token))
        if (session) session.revoked = true
        return { body: {} }
      }
      return error('InvalidParameterException', `Unsupported: ${operation} ${body.AuthFlow ?? ''}`)
    },
    {
      failure: (status) =>
        status === 429
          ? error('TooManyRequestsException', 'Rate exceeded', 400)
          : error('InternalErrorException', 'Internal server error', status),
    },
  )

  return {
    api,
    stats,
    subOf,
    /** What `Amplify.configure` needs to reach this double. */
    config: {
      Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: api.origin } },
    },
    /** The password the double accepts for `user`. */
    passwordOf: (user: string) => `${user}-password`,
    /** An admin revokes every session of `user` (AdminUserGlobalSignOut). */
    revokeUser(user: string) {
      for (const session of sessions.values()) if (session.user === user) session.revoked = true
    },
  }
}
