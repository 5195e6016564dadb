// Type-checked by `pnpm typecheck` (not run): the real Stack Auth client app fits the connector input.
import { StackClientApp } from '@stackframe/js'
import { expectTypeOf } from 'vitest'
import { type StackAuthLike, stackAuthConnector } from './stack-auth-connector.js'

expectTypeOf<StackClientApp<true>>().toExtend<StackAuthLike>()
stackAuthConnector(
  new StackClientApp({ projectId: 'p', publishableClientKey: 'pck', tokenStore: 'cookie' }),
)

// @ts-expect-error the connector needs the client app, not a token string
stackAuthConnector('token')
