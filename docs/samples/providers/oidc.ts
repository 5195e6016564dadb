import { authFetch, type Connector, createSession } from '@keyway/core'
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

// Providers with their own SDK (PropelAuth as the template): null = signed out, a throw = try again.
declare const authClient: {
  getAuthenticationInfoOrNull(forceRefresh?: boolean): Promise<{ accessToken: string } | null>
}
export const propelAuthConnector = {
  id: 'propelauth',
  async fetchCredentials({ forceRefresh }) {
    const info = await authClient.getAuthenticationInfoOrNull(forceRefresh)
    return info ? { token: info.accessToken } : null
  },
} satisfies Connector
