// Type-checked by `pnpm typecheck` (not run): the real `Amplify` singleton fits the connector input.
import { Amplify } from '@aws-amplify/core'
import { expectTypeOf } from 'vitest'
import { type AmplifyLike, cognitoConnector } from './cognito-connector.js'

expectTypeOf(Amplify).toExtend<AmplifyLike>()
cognitoConnector(Amplify, { token: 'id' })

// @ts-expect-error the connector needs the configured Amplify singleton, not a function
cognitoConnector(Amplify.Auth.fetchAuthSession)
