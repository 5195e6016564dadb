// Type-checked by `pnpm typecheck` (not run): the real `Clerk` class fits the connector input.
import type { Clerk } from '@clerk/clerk-js'
import { expectTypeOf } from 'vitest'
import { type ClerkLike, clerkConnector } from './clerk-connector.js'

declare const clerk: Clerk
expectTypeOf<Clerk>().toExtend<ClerkLike>()
clerkConnector(clerk, { template: 'supabase' })

// A session token getter alone is not enough: the connector needs `loaded`, listeners, status.
// @ts-expect-error missing loaded, addListener, on, off, signOut
clerkConnector({ session: clerk.session })
