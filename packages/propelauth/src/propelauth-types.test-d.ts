// Type-checked by `pnpm typecheck` (not run): the real PropelAuth client fits the connector input.
import { createClient, type IAuthClient } from '@propelauth/javascript'
import { expectTypeOf } from 'vitest'
import { type PropelAuthLike, propelAuthConnector } from './propelauth-connector.js'

expectTypeOf<IAuthClient>().toExtend<PropelAuthLike>()
propelAuthConnector(createClient({ authUrl: 'https://auth.example.com' }))

// @ts-expect-error the connector needs the client, not its token getter alone
propelAuthConnector({ getAuthenticationInfoOrNull: async () => null })
