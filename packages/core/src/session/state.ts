import type { KeywayError } from '../errors.js'
import type { Logger } from '../platform.js'
import { nextSnapshot } from '../snapshot.js'
import { type HeldCredentials, remainingMs } from './credentials.js'
import type { Engine } from './engine.js'
import { recordSuccess } from './retry.js'
import type { SessionEvent } from './types.js'

/**
 * The only functions that change what the session holds and says: `adopt`, `keep`,
 * `forget` and `fail`. Each one emits the snapshot and wakes every caller waiting for a
 * token, so no waiter misses a token from any source (a fetch, storage, another tab).
 */

/** New credentials are the session's: the failure streak is over. */
export function adopt(e: Engine, fresh: HeldCredentials): void {
  recordSuccess(e._retry)
  e._lastError = null
  keep(e, fresh)
}

/** Holds `fresh` without ending a failure streak (the provider handed back the same token). */
export function keep(e: Engine, fresh: HeldCredentials): void {
  if (e._held?.token !== fresh.token) e._tokenVersion++
  e._held = fresh
  e._status = fresh.anonymous ? 'anonymous' : 'authenticated'
  changed(e)
}

/** Nobody is signed in: nothing is held, nothing is retried. */
export function forget(e: Engine): void {
  if (e._held) e._tokenVersion++
  e._held = e._lastError = null
  e._status = 'signedOut'
  e._chain = 0
  recordSuccess(e._retry)
  event(e, { type: 'signedOut' })
  changed(e)
}

/**
 * A failure. Transient: a still-valid token keeps being served and the status stays. Final:
 * the provider says this session is over; the token is no longer served and nothing retries.
 */
export function fail(e: Engine, error: KeywayError): void {
  e._counters.failures++
  e._lastError = error
  if (!error.transient) {
    if (e._held) e._tokenVersion++
    e._held = null
    e._status = 'error'
  } else if (!valid(e, 0)) e._status = 'error'
  changed(e)
}

/** The held token unless the provider changed user or a backend rejected it. */
export function current(e: Engine): HeldCredentials | undefined {
  const h = e._held
  return h && !h.stale && !h.rejected ? h : undefined
}

/** The held token when it may be handed out and has more than `minMs` of life left. */
export function valid(e: Engine, minMs: number): HeldCredentials | undefined {
  const h = current(e)
  return h && remainingMs(h, e._p) > minMs ? h : undefined
}

/** Signed out, or a final error: nothing to refresh until the provider or the app acts. */
export function ended(e: Engine): boolean {
  return e._status === 'signedOut' || (e._status === 'error' && !e._lastError!.transient)
}

/** Resolves at the next change of the held token or the end of a fetch. */
export function nextChange(e: Engine): Promise<void> {
  return e._changed.promise
}

/** Emits the snapshot and wakes the waiters. */
export function changed(e: Engine): void {
  const wake = e._changed.resolve
  e._changed = deferred()
  wake()
  emit(e)
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Builds the snapshot; listeners run only when a field changed. */
export function emit(e: Engine): void {
  const h = e._held
  const next = nextSnapshot(e._snapshot, {
    status: e._status,
    userId: h && !h.stale ? h.userId : null,
    expiresAt: h?.expiresAtWall ?? null,
    refreshing: e._inflight !== null,
    tokenVersion: e._tokenVersion,
    lastError: e._lastError,
    counters: e._counters,
  })
  if (next === e._snapshot) return
  e._snapshot = next
  for (const listener of [...e._listeners])
    try {
      listener()
    } catch (error) {
      log(e, 'warn', `a session listener threw: ${(error as Error)?.message ?? String(error)}`)
    }
}

/** Tells the inspectors (devtools), or only the ones given, what happened; never a token. */
export function event(
  e: Engine,
  what: DistributiveOmit<SessionEvent, 'at'>,
  to: ReadonlySet<(event: SessionEvent) => void> = e._inspectors,
): void {
  if (!to.size) return
  const full = { ...what, at: e._p.wallNow() } as SessionEvent
  for (const inspector of [...to])
    try {
      inspector(full)
    } catch {}
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export function log(e: Engine, level: keyof Logger, message: string): void {
  e._p.logger[level](`[keyway:${e._connector.id}] ${message}`)
}
