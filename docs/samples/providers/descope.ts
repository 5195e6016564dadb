import createSdk from '@descope/web-js-sdk'
import { authFetch, createSession } from '@keyway/core'
import { descopeConnector } from '@keyway/descope'

// persistTokens: the SDK keeps the session JWT where the connector (and a reload) finds it.
const sdk = createSdk({ projectId: 'P2abc…', persistTokens: true, autoRefresh: true })
export const session = createSession({ connector: descopeConnector(sdk) })
export const api = authFetch(session)

// Sign in with Descope as usual (a flow, or an SDK call): onSessionTokenChange tells the session.
export const signIn = (loginId: string, password: string) => sdk.password.signIn(loginId, password)
