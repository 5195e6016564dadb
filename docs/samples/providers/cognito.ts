import { signIn } from '@aws-amplify/auth'
import { cognitoUserPoolsTokenProvider } from '@aws-amplify/auth/cognito'
import { Amplify } from '@aws-amplify/core'
import { cognitoConnector } from '@keyway/cognito'
import { authFetch, createSession } from '@keyway/core'

const config = {
  Auth: { Cognito: { userPoolId: 'us-east-1_XXXXXXXXX', userPoolClientId: 'your-app-client-id' } },
}
// With the `aws-amplify` package, `Amplify.configure(config)` does both lines for you.
cognitoUserPoolsTokenProvider.setAuthConfig(config.Auth)
Amplify.configure(config, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider } })

export const session = createSession({ connector: cognitoConnector(Amplify) })
export const api = authFetch(session)

// Sign in with Amplify as usual: Hub's `signedIn` tells the session, which fetches the token.
export const signInAlice = () => signIn({ username: 'alice', password: 'correct horse' })

// A backend that checks `aud` against the app client id wants the ID token instead.
export const idTokenSession = createSession({
  connector: cognitoConnector(Amplify, { id: 'cognito-id', token: 'id' }),
})
