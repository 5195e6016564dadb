import { authFetch, createSession } from '@keyway/core'
import { oidcConnector } from '@keyway/oidc'
import { UserManager } from 'oidc-client-ts'

// Google Identity as an OIDC server. Its access tokens are opaque: keyway hands out ID tokens.
const userManager = new UserManager({
  authority: 'https://accounts.google.com',
  client_id: '1234-abc.apps.googleusercontent.com',
  redirect_uri: `${location.origin}/callback`,
  // The prompt=none iframe renews the ID token while the Google session lasts.
  silent_redirect_uri: `${location.origin}/silent-callback.html`,
  scope: 'openid email profile',
  automaticSilentRenew: false,
})
const ready = location.pathname === '/callback' ? userManager.signinCallback() : undefined
export const session = createSession({
  connector: oidcConnector(userManager, { id: 'google', token: 'id_token', ready }),
})
export const api = authFetch(session)
