import { PublicClientApplication } from '@azure/msal-browser'
import { authFetch, createSession } from '@keyway/core'
import { entraConnector } from '@keyway/entra'

const msal = new PublicClientApplication({
  auth: {
    clientId: '00000000-0000-0000-0000-000000000001', // the SPA's app registration
    authority: 'https://login.microsoftonline.com/12345678-1234-1234-1234-1234567890ab',
    redirectUri: `${location.origin}/callback`,
  },
})
// The first answer waits for MSAL to start and to finish a redirect back.
const ready = msal.initialize().then(async () => {
  const result = await msal.handleRedirectPromise()
  if (result) msal.setActiveAccount(result.account)
})
// Your API's scope: the access token is then a JWT for your API (not for Microsoft Graph).
const scopes = ['api://my-api/access']
export const session = createSession({ connector: entraConnector(msal, { scopes, ready }) })

// The backend verifies against https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys.
export const api = authFetch(session)

export async function signIn(): Promise<void> {
  await msal.loginRedirect({ scopes })
}
