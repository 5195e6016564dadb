import type { SessionSnapshot } from '@keyway/core'
import { useSyncExternalStore } from 'react'
import { session } from './keyway.js'

const subscribe = (listener: () => void) => session.subscribe(listener)
const getSnapshot = () => session.getSnapshot()

/** The session's state, re-rendering on every change. */
export function useAuthState(): SessionSnapshot {
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
}
