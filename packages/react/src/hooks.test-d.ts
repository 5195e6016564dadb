import type { KeywayError, Session, SessionSnapshot, SessionStatus } from '@keyway/core'
import type { ReactNode } from 'react'
import { expectTypeOf } from 'vitest'
import {
  KeywayProvider,
  type KeywayProviderProps,
  useAuthState,
  useSession,
  useToken,
} from './index.js'

expectTypeOf(useToken).returns.toEqualTypeOf<string | null>()
expectTypeOf(useSession).returns.toEqualTypeOf<Session>()
expectTypeOf(useAuthState).returns.toEqualTypeOf<SessionSnapshot>()
type AuthState = ReturnType<typeof useAuthState>
expectTypeOf<AuthState['status']>().toEqualTypeOf<SessionStatus>()
expectTypeOf<AuthState['status']>().toEqualTypeOf<
  'initializing' | 'signedOut' | 'anonymous' | 'authenticated' | 'error'
>()
expectTypeOf<AuthState['userId']>().toEqualTypeOf<string | null>()
expectTypeOf<AuthState['expiresAt']>().toEqualTypeOf<number | null>()
expectTypeOf<AuthState['refreshing']>().toEqualTypeOf<boolean>()
expectTypeOf<AuthState['lastError']>().toEqualTypeOf<KeywayError | null>()

expectTypeOf<KeywayProviderProps['session']>().toEqualTypeOf<Session | null>()
expectTypeOf<KeywayProviderProps>()
  .toHaveProperty('children')
  .toEqualTypeOf<ReactNode | undefined>()
expectTypeOf(KeywayProvider).returns.toEqualTypeOf<ReactNode>()
// The session is required: a provider without one is a type error.
// @ts-expect-error session is missing
KeywayProvider({ children: null })
// @ts-expect-error a token is not a session
KeywayProvider({ session: 'eyJ…' })
