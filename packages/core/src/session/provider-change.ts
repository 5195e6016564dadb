import { KeywayError } from '../errors.js'
import type { Engine } from './engine.js'
import { detachInflight, runFetch } from './fetch.js'
import { recordSuccess } from './retry.js'

/**
 * The one rule for user changes, for every connector. A connector's `subscribe` reports the
 * provider's current user (`null` = nobody); this compares it with the user of the token the
 * session holds, wherever that came from (a fetch, storage, another tab):
 *
 * - the same user is no change: a provider's first event, its routine polls and another
 *   tab's sign-in of the same user cost no call;
 * - another user, or an event that names none (unknown), is a change: the held token is never
 *   handed out again and the session fetches anew (`reason: 'changed'`);
 * - while the first fetch is under way and nothing is held yet, the report waits for that
 *   answer and is compared with it, so start-up makes one call, not two.
 *
 * A provider poll that failed is no event at all (connectors do not report it): a network
 * blip never signs anyone out.
 */
export function onProviderChange(e: Engine, userId?: string | null): void {
  if (e._disposed) return
  if (userId !== undefined) {
    if (userId === heldUser(e)) return
    if (e._inflight && !e._held) {
      e._providerUser = userId
      return
    }
  }
  detachInflight(e, new KeywayError('ERR_ABORTED', 'The provider changed user'))
  // The old user's token is never handed out again, and consumers see it go at once.
  if (e._held) {
    e._held.stale = true
    e._tokenVersion++
  }
  recordSuccess(e._retry)
  e._chain = 0
  void runFetch(e, 'changed')
}

/** After a fetch lands: a user the provider reported meanwhile must match its answer. */
export function checkProviderUser(e: Engine): void {
  const reported = e._providerUser
  e._providerUser = undefined
  if (reported !== undefined && reported !== heldUser(e))
    // After the fetch's own bookkeeping, so the new fetch is not mistaken for it.
    queueMicrotask(() => onProviderChange(e))
}

/** Who the held token speaks for: `null` for nobody (signed out, or a guest); unknown otherwise. */
function heldUser(e: Engine): string | null | undefined {
  const h = e._held
  if (h && !h.stale) return h.anonymous ? null : h.userId
  return e._status === 'signedOut' ? null : undefined
}
