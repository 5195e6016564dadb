import type { SessionSnapshot } from '@keyway/core'
import { useCallback, useSyncExternalStore } from 'react'
import { useProvided } from './provider.js'

/**
 * What a server render (and the first client render while hydrating) shows: nothing is
 * known until the browser's session reports. One frozen object, so hydration matches.
 */
export const SERVER_SNAPSHOT: SessionSnapshot = Object.freeze({
  status: 'initializing',
  userId: null,
  expiresAt: null,
  refreshing: false,
  tokenVersion: 0,
  lastError: null,
  counters: Object.freeze({ fetches: 0, failures: 0, rejections: 0 }),
})

const noSubscription = () => () => {}

/**
 * The session's state (`status`, `userId`, `expiresAt`, `refreshing`, `lastError`,
 * `counters`), re-rendering on every change. The object is the session's own snapshot:
 * the same object until something changes. Errors never throw into render; they arrive
 * here as `lastError`. On the server, and while hydrating, it is the `initializing` state, or
 * the `authenticated` state of the provider's `initialCredentials`.
 *
 * @example
 * ```tsx
 * function Status() {
 *   const { status, userId, lastError } = useAuthState()
 *   if (status === 'error') return <p>Sign-in trouble: {lastError?.code}</p>
 *   return <p>{status === 'authenticated' ? `Hello ${userId}` : status}</p>
 * }
 * ```
 */
export function useAuthState(): SessionSnapshot {
  const { session, server } = useProvided('useAuthState()')
  const subscribe = useCallback(
    (listener: () => void) => (session ? session.subscribe(listener) : noSubscription()),
    [session],
  )
  const getSnapshot = useCallback(
    () => (session ? session.getSnapshot() : SERVER_SNAPSHOT),
    [session],
  )
  const getServerSnapshot = useCallback(() => server?.snapshot ?? SERVER_SNAPSHOT, [server])
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot)
}
