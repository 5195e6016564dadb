import type { Credentials } from '../contract.js'
import { KeywayError } from '../errors.js'
import { type HeldCredentials, remainingMs } from './credentials.js'
import type { Engine } from './engine.js'
import { blockedBy, runFetch } from './fetch.js'
import { check, floorOf, refreshOffsetOf, schedule, strictMs } from './proactive-refresh.js'
import { current, nextChange, valid } from './state.js'
import type { TokenOptions } from './types.js'

/**
 * Handing tokens out: at once while the held token has more than the floor of life left
 * (and more than the consumer's `minValidityMs`), otherwise after the one fetch everybody
 * waits for. When no fresh token can be had now (offline, an outage, the failure budget
 * spent), a token below the floor that is still valid is handed out rather than none; an
 * expired token never is.
 */

/** Credentials to hand out at once, when the held ones are fresh enough. */
export function handOut(e: Engine, options?: TokenOptions): Credentials | undefined {
  if (e._disposed) throw disposedError()
  const h = current(e)
  if (!h) return undefined
  // The clocks are read once: this is every request's path.
  const left = remainingMs(h, e._p)
  const asked = options?.minValidityMs
  if (asked) noteStrict(e, h, asked)
  const need = Math.max(floorOf(e, h), Math.min(asked ?? 0, (h.lifetimeMs ?? Infinity) / 2))
  if (left <= need) return undefined
  // Still good to hand out, but due: a timer that slept late would refresh it anyway.
  if (left <= refreshOffsetOf(e, h)) check(e, 'proactive')
  return h.credentials
}

/** Remembers the strictest `minValidityMs` asked, so the next refresh comes early enough. */
function noteStrict(e: Engine, h: HeldCredentials, ms: number): void {
  // An ask older than a token lifetime is forgotten first (strictMs does that), so a laxer ask
  // made now is not measured against a lapsed one: it counts at once, not at its next ask.
  strictMs(e, h)
  if (ms >= e._strictMs) {
    const raised = ms > e._strictMs
    e._strictMs = ms
    e._strictAt = e._p.now()
    // The timer was armed for a laxer consumer: armed again for this one, so the refresh
    // comes in time without waiting for this consumer's next ask.
    if (raised) schedule(e)
  }
}

export async function getCredentials(
  e: Engine,
  options?: TokenOptions,
): Promise<Credentials | null> {
  const failuresAtStart = e._counters.failures
  await e._ready
  let attempts = 0
  for (;;) {
    const fresh = handOut(e, options)
    if (fresh) return fresh
    if (e._inflight) {
      // Woken by the fetch's end or by a token from any source (another tab, storage).
      await nextChange(e)
      continue
    }
    if (e._status === 'signedOut') return null
    if (e._status === 'error' && !e._lastError!.transient) throw e._lastError
    // One call makes at most one attempt of its own (a second when a user change intervened).
    if (e._counters.failures > failuresAtStart || attempts++ > 1) break
    const reason = e._held ? 'proactive' : 'initial'
    const blocked = blockedBy(e, reason, true)
    if (blocked) return lastResort(e, blocked)
    void runFetch(e, reason, true)
  }
  return lastResort(
    e,
    e._lastError ?? new KeywayError('ERR_PROVIDER', 'No credentials could be obtained'),
  )
}

/** When no fresh token can be had now, a nearly dead one that is still valid beats none. */
function lastResort(e: Engine, error: KeywayError): Credentials {
  const held = valid(e, 0)
  if (held) return held.credentials
  throw error
}

export function disposedError(): KeywayError {
  return new KeywayError('ERR_DISPOSED', 'The session was disposed')
}
