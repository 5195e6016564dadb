import { authFetch, createSession } from '@keyway/core'
import { oidcConnector } from '@keyway/oidc'
import { UserManager } from 'oidc-client-ts'

// keyway schedules refreshes (jittered, one per origin); oidc-client-ts must not renew behind it.
const userManager = new UserManager({
  authority: 'https://sso.example.com/realms/main',
  client_id: 'my-spa',
  redirect_uri: `${location.origin}/callback`,
  scope: 'openid offline_access',
  automaticSilentRenew: false,
})
// On the redirect page, let the first answer wait for the callback to finish.
const ready = location.pathname === '/callback' ? userManager.signinCallback() : undefined
export const session = createSession({ connector: oidcConnector(userManager, { ready }) })
export const api = authFetch(session)
