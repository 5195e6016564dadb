import { authFetch, createSession } from '@keyway/core'
import { superTokensConnector } from '@keyway/supertokens'
import SuperTokens from 'supertokens-web-js'
import Session from 'supertokens-web-js/recipe/session'

// Create the connector first: SuperTokens reports sign-in and sign-out only to Session.init.
const connector = superTokensConnector(Session)
SuperTokens.init({
  appInfo: { appName: 'my-app', apiDomain: 'https://api.example.com', apiBasePath: '/auth' },
  recipeList: [
    // header mode: the access token is readable by the app (cookie mode keeps it HttpOnly).
    Session.init({ tokenTransferMethod: 'header', onHandleEvent: connector.onHandleEvent }),
  ],
})
export const session = createSession({ connector })
export const api = authFetch(session)
