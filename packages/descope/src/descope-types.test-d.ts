// Type-checked by `pnpm typecheck` (not run): the real web-js-sdk client fits the connector input.
import createSdk from '@descope/web-js-sdk'
import { expectTypeOf } from 'vitest'
import { type DescopeLike, descopeConnector } from './descope-connector.js'

const sdk = createSdk({ projectId: 'P2…', persistTokens: true, autoRefresh: true })
expectTypeOf(sdk).toExtend<DescopeLike>()
descopeConnector(sdk)

// Without persistTokens the SDK keeps no session token to hand out.
// @ts-expect-error getSessionToken is missing
descopeConnector(createSdk({ projectId: 'P2…', persistTokens: false }))
