import type { FetchReason } from '../contract.js'
import { isKeywayError, KeywayError } from '../errors.js'
import { type CrossTabMessage, toStoredCredentials } from '../platform.js'
import { redactToken } from '../redact.js'
import { fromStored, type HeldCredentials } from './credentials.js'
import type { Engine } from './engine.js'
import { type Answer, callAndShare, detachInflight, type FetchOutcome, runFetch } from './fetch.js'
import { clearTimer, refreshDue, schedule } from './proactive-refresh.js'
import { adopt, current, event, forget, log, valid } from './state.js'

/**
 * Tabs and storage: one tab fetches under the cross-tab lock, the others find its result in
 * storage or receive it as a message. A token from storage or another tab replaces the held
 * one only when it expires later, and wakes every caller waiting here at once.
 */

/** One tab fetches; the others find its result in storage once they hold the lock. */
export async function fetchAcrossTabs(
  e: Engine,
  reason: FetchReason,
  controller: AbortController,
  runEpoch: number,
): Promise<FetchOutcome> {
  const crossTab = e._p.crossTab
  if (!crossTab) return callAndShare(e, reason, controller, runEpoch)
  const replacing = e._held?.token
  const locked = await crossTab.withLock(
    e._key,
    async (): Promise<Answer> => {
      const stored = reason === 'changed' ? undefined : await loadStored(e)
      if (!stored || stored.token === replacing || refreshDue(e, stored))
        return callAndShare(e, reason, controller, runEpoch)
      took(e, stored, 'storage')
      return stored
    },
    { waitMs: e._policy.lockWaitMs },
  )
  if (locked.acquired) return locked.value
  // The lock did not come in time (a stuck tab): a still-valid token beats a second refresh.
  return valid(e, 0) && !e._held!.rejections
    ? 'kept'
    : callAndShare(e, reason, controller, runEpoch)
}

/** Persists and broadcasts a fresh result (inside the lock, so other tabs find it). */
export async function share(e: Engine, answer: Answer): Promise<void> {
  if (answer === null || (isKeywayError(answer) && !answer.transient))
    // Other tabs learn of a final error from their own next fetch; of a sign-out at once.
    await dropShared(e, answer === null)
  else if (!isKeywayError(answer)) {
    // Held credentials always have the stored fields: only the trim can happen here.
    const stored = toStoredCredentials(answer)!
    await e._p.storage?.set(e._key, stored).catch((error) => storageFailed(e, error))
    e._p.crossTab?.post(e._key, { type: 'credentials', credentials: stored })
  }
}

export async function dropShared(e: Engine, tellTabs: boolean): Promise<void> {
  if (tellTabs) e._p.crossTab?.post(e._key, { type: 'signedOut' })
  await e._p.storage?.delete(e._key).catch((error) => storageFailed(e, error))
}

export async function loadStored(e: Engine): Promise<HeldCredentials | undefined> {
  try {
    return fromStored(await e._p.storage?.get(e._key), e._p)
  } catch (error) {
    storageFailed(e, error)
  }
}

export function storageFailed(e: Engine, error: unknown): void {
  log(e, 'debug', `storage failed: ${(error as Error)?.name ?? 'error'}; continuing in memory`)
}

/** What another tab said: a sign-out, or credentials it fetched. */
export function onRemote(e: Engine, message: CrossTabMessage): void {
  if (e._disposed) return
  if (message.type === 'signedOut') {
    if (e._status === 'signedOut') return
    detachInflight(e, new KeywayError('ERR_ABORTED', 'Signed out in another tab'))
    clearTimer(e)
    forget(e)
    if (e._anonymous) void runFetch(e, 'changed')
    return
  }
  const incoming = fromStored(message.credentials, e._p)
  if (incoming) offer(e, incoming, 'tab')
}

/**
 * Credentials from storage or another tab: taken when nothing usable is held or they expire
 * later than the held token (the most recently received is not always the best: a late
 * answer in another tab may carry less life).
 */
export function offer(e: Engine, incoming: HeldCredentials, from: 'storage' | 'tab'): void {
  const held = current(e)
  if (held?.token === incoming.token) return
  // On this tab's monotonic clock: a wall-clock jump since the held token arrived moves its
  // wall-clock expiry, not its life.
  const later = incoming.expiresMono ?? Infinity
  if (held && later <= (held.expiresMono ?? Infinity)) return
  if (later <= e._p.now()) return
  took(e, incoming, from)
  adopt(e, incoming)
  schedule(e)
}

/** Tells inspectors (and the debug log) that a token from storage or another tab is taken. */
function took(e: Engine, incoming: HeldCredentials, from: 'storage' | 'tab'): void {
  event(e, {
    type: 'credentials',
    from,
    userId: incoming.userId,
    expiresAt: incoming.expiresAtWall,
  })
  log(e, 'debug', `took ${redactToken(incoming.token)} from ${from}`)
}
