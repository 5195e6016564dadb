import { authFetch, createSession } from '@keyway/core'
import { stackAuthConnector } from '@keyway/stack-auth'
import { StackClientApp } from '@stackframe/js'

const app = new StackClientApp({
  projectId: 'c0ffee00-1234-4abc-8def-0123456789ab',
  publishableClientKey: 'pck_…',
  tokenStore: 'cookie',
})
export const session = createSession({ connector: stackAuthConnector(app) })
export const api = authFetch(session)

// @stackframe/js tells nobody when the user changes: after the app signs in without leaving
// the page, it tells keyway. (A sign-in that redirects loads a new page, and a new session.)
export async function signIn(email: string, password: string) {
  const result = await app.signInWithCredential({ email, password, noRedirect: true })
  if (result.status === 'ok') await session.refresh()
  return result
}
