// Type-checked by `pnpm typecheck` (not run): the real session recipe fits the connector input,
// and the connector's onHandleEvent fits Session.init.
import Session from 'supertokens-web-js/recipe/session'
import { expectTypeOf } from 'vitest'
import { type SuperTokensSessionLike, superTokensConnector } from './supertokens-connector.js'

expectTypeOf(Session).toExtend<SuperTokensSessionLike>()
const connector = superTokensConnector(Session)
Session.init({ tokenTransferMethod: 'header', onHandleEvent: connector.onHandleEvent })

// @ts-expect-error the connector needs the session recipe, not one of its functions
superTokensConnector(Session.getAccessToken)
