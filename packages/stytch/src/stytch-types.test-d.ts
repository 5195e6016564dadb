// Type-checked by `pnpm typecheck` (not run): the real Stytch client fits the connector input.
import { createStytchClient, type StytchClient } from '@stytch/vanilla-js'
import { expectTypeOf } from 'vitest'
import { type StytchLike, stytchConnector } from './stytch-connector.js'

expectTypeOf<StytchClient>().toExtend<StytchLike>()
stytchConnector(createStytchClient('public-token-test-…'))

// @ts-expect-error the connector needs the client, not its session token
stytchConnector({ session: { getTokens: () => null } })
