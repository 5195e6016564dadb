import type { Credentials, FetchCredentialsOptions, FetchReason } from '../contract.js'
import { isKeywayError, KeywayError, toKeywayError } from '../errors.js'
import { redactToken } from '../redact.js'
import { raceSignal } from '../signal.js'
import { skewMs } from './clock.js'
import { anchorCredentials, type HeldCredentials } from './credentials.js'
import { fetchAcrossTabs, share } from './cross-tab.js'
import type { Engine } from './engine.js'
import { clearTimer, lifetimeOf, refreshDue, schedule } from './proactive-refresh.js'
import { checkProviderUser } from './provider-change.js'
import { recordFailure, retryAllowedAt } from './retry.js'
import { adopt, changed, current, event, fail, forget, keep, log } from './state.js'
import { minimumGap } from './timing.js'

/**
 * Fetching: one call in flight per session (single flight), a timeout, the anonymous
 * fallback, and what an answer does to the state.
 */

/** What the connector answered: credentials, `null` (nobody is signed in) or an error. */
export type Answer = HeldCredentials | null | KeywayError

/**
 * What one fetch came to: the answer, another tab's credentials found in storage, or
 * `'kept'` (another tab holds the lock too long and the current token is still valid).
 */
export type FetchOutcome = Answer | 'kept'

/**
 * Reasons that keep the minimum gap between calls: the session's own (a first fetch, a
 * proactive refresh, a wake), not a rejection, a user change or the app's explicit `refresh()`.
 */
function keepsGap(reason: FetchReason): boolean {
  return reason === 'initial' || reason === 'proactive' || reason === 'wake'
}

/**
 * Why a fetch for `reason` may not start now, or `undefined` when it may. `probe`: a caller
 * is waiting for a token, so the backoff gives way (one probe); the minimum gap, the
 * Retry-After floor and the failure budget never do.
 */
export function blockedBy(e: Engine, reason: FetchReason, probe = false): KeywayError | undefined {
  const { _p: p, _policy: policy } = e
  if (!p.isOnline()) return new KeywayError('ERR_OFFLINE', 'The device is offline')
  if (reason === 'changed') return undefined
  const now = p.now()
  let at = retryAllowedAt(e._retry, policy, now, probe)
  if (keepsGap(reason)) at = Math.max(at, gapEnd(e))
  if (at <= now) return undefined
  return (
    e._lastError ??
    new KeywayError('ERR_RATE_LIMITED', 'Waiting before the next connector call', {
      retryAfterMs: at - now,
    })
  )
}

/**
 * When the minimum gap since the last call ends, on the monotonic clock (a wall-clock jump
 * is no time passing; after a sleep that stopped the monotonic clock it costs at most the gap).
 */
export function gapEnd(e: Engine): number {
  return e._lastCallAt + minimumGap(lifetimeOf(e), e._policy)
}

/** Starts a fetch for `reason` unless one is in flight (then joins it) or it may not start. */
export function runFetch(e: Engine, reason: FetchReason, probe?: boolean): Promise<void> {
  if (e._inflight) return e._inflight
  if (e._disposed || blockedBy(e, reason, probe)) {
    schedule(e)
    return Promise.resolve()
  }
  const runEpoch = e._epoch
  const controller = new AbortController()
  const started = e._p.now()
  const run: Promise<void> = fetchAcrossTabs(e, reason, controller, runEpoch)
    .catch(toKeywayError)
    .then((outcome) => {
      if (runEpoch !== e._epoch || e._disposed) return
      apply(e, outcome, reason, started)
      checkProviderUser(e)
    })
    .finally(() => {
      if (e._inflight !== run) return
      e._inflight = e._controller = null
      changed(e)
      schedule(e)
    })
  e._inflight = run
  e._controller = controller
  clearTimer(e)
  changed(e)
  return run
}

/** Calls the connector (then the anonymous source on `null`), with the fetch timeout. */
export async function callConnector(
  e: Engine,
  reason: FetchReason,
  controller: AbortController,
): Promise<Answer> {
  const { _p: p, _policy: policy, _connector: connector, _anonymous: anonymous } = e
  const started = p.now()
  countCall(e, started)
  event(e, { type: 'fetch', reason })
  const { signal } = controller
  const options: FetchCredentialsOptions = {
    // A first fetch and a provider change may take the provider's cached token; every other
    // reason is for a newer one.
    forceRefresh: reason !== 'initial' && reason !== 'changed',
    reason,
    signal,
  }
  if (keepsGap(reason)) e._lastCallAt = started
  const timeout = p.setTimeout(() => {
    controller.abort(
      new KeywayError(
        'ERR_TIMEOUT',
        `The connector did not answer within ${policy.fetchTimeoutMs} ms`,
      ),
    )
  }, policy.fetchTimeoutMs)
  try {
    let guest = false
    const answer = await raceSignal(
      (async (): Promise<Credentials | null> => {
        const first = await connector.fetchCredentials(options)
        if (first !== null || !anonymous) return first
        guest = true
        return anonymous.fetchCredentials(options)
      })(),
      signal,
    )
    e._lastFetchMs = p.now() - started
    if (answer === null) return null
    if (typeof answer?.token !== 'string')
      throw new KeywayError(
        'ERR_PROVIDER',
        'The connector answered something that is not credentials',
        {
          transient: false,
        },
      )
    const fresh = anchorCredentials(
      answer,
      {
        sentMono: started,
        // The token held already was minted for an earlier call, whatever was asked.
        fresh: options.forceRefresh && answer.token !== e._held?.token,
        anonymous: guest,
      },
      p,
      e._clock,
    )
    log(
      e,
      'debug',
      `${reason} fetch → ${redactToken(answer.token)} (${Math.round(e._lastFetchMs)} ms)`,
    )
    event(e, {
      type: 'credentials',
      from: 'connector',
      reason,
      ms: e._lastFetchMs,
      userId: fresh.userId,
      expiresAt: fresh.expiresAtWall,
    })
    const skew = skewMs(e._clock, p)
    if (!e._skewWarned && Math.abs(skew) > policy.skewWarningMs) {
      e._skewWarned = true
      // Nothing breaks here (lifetimes are relative to `iat`), but strict backends may refuse.
      log(e, 'warn', `the local clock is about ${Math.round(-skew / 1000)} s off the issuer's`)
    }
    return fresh
  } catch (error) {
    const coded = toKeywayError(error)
    log(e, 'debug', `${reason} fetch failed: ${coded.code}`)
    return coded
  } finally {
    p.clearTimeout(timeout)
  }
}

/** Counts a call for the refresh-storm warning (every call, healthy or not). */
function countCall(e: Engine, now: number): void {
  const calls = e._calls
  while (calls.length > 0 && calls[0]! <= now - 60_000) calls.shift()
  calls.push(now)
  e._counters.fetches++
  if (calls.length > e._policy.maxCallsPerMinute && now - e._stormWarnedAt > 60_000) {
    e._stormWarnedAt = now
    log(e, 'warn', `refresh storm: ${calls.length} connector calls in the last minute`)
  }
}

/** What an outcome does to the state. `started`: when the fetch began (monotonic). */
function apply(e: Engine, outcome: FetchOutcome, reason: FetchReason, started: number): void {
  const { _p: p, _policy: policy } = e
  if (outcome === null) {
    forget(e)
    return
  }
  if (outcome === 'kept' || isKeywayError(outcome)) {
    const error = outcome === 'kept' ? undefined : outcome
    if (error?.code === 'ERR_DISPOSED') return
    recordFailure(e._retry, error, started, p.now(), policy, p.random)
    if (!error) return
    event(e, {
      type: 'failure',
      reason,
      code: error.code,
      transient: error.transient,
      retryAt: error.transient
        ? p.wallNow() + retryAllowedAt(e._retry, policy, p.now(), false) - p.now()
        : null,
    })
    fail(e, error)
    return
  }
  const held = e._held
  if (held?.token === outcome.token) {
    // The provider handed back the token it already gave.
    outcome.refreshOffsetMs = held.refreshOffsetMs
    if (reason === 'rejected') {
      // It insists on a token a backend rejected: one more try with it, then it is an error.
      outcome.rejections = held.rejections + 1
      keep(e, outcome)
      return
    }
    outcome.rejections = held.rejections
    if (held.rejections > 1 && reason !== 'changed') {
      // A token backends rejected twice stays refused, whatever the provider says.
      const refused = new KeywayError(
        'ERR_REJECTED',
        'The provider keeps handing out a rejected token',
      )
      recordFailure(e._retry, refused, started, p.now(), policy, p.random)
      fail(e, refused)
      return
    }
    if (reason !== 'changed' && refreshDue(e, outcome)) {
      // We wanted a newer one (a provider cache): keep it, and try again later.
      recordFailure(e._retry, undefined, started, p.now(), policy, p.random)
      keep(e, outcome)
      return
    }
  }
  // A token that lived to its refresh without a rejection was accepted: a new chain starts.
  if (reason === 'proactive' && held && !held.rejected) e._chain = 0
  // A first fetch may be answered from the provider's cache with a token already due: the
  // forced call that replaces it is not held back by the gap (that one is forced: no loop).
  if (reason === 'initial' && refreshDue(e, outcome)) e._lastCallAt = -Infinity
  adopt(e, outcome)
}

/** Aborts the fetch in flight and drops whatever it brings back (a newer epoch). */
export function detachInflight(e: Engine, reason: KeywayError): void {
  e._epoch++
  const running = e._controller
  e._inflight = e._controller = null
  running?.abort(reason)
}

/** Calls the connector and shares the answer with other tabs (inside the lock). */
export async function callAndShare(
  e: Engine,
  reason: FetchReason,
  controller: AbortController,
  runEpoch: number,
): Promise<Answer> {
  // Dropped while it waited for the lock (a sign-out, a user change): no call at all.
  if (controller.signal.aborted) return toKeywayError(controller.signal.reason)
  const answer = await callConnector(e, reason, controller)
  if (runEpoch === e._epoch) await share(e, answer)
  return answer
}

/** The credentials to hand out after the fetches settle, for `refresh` and `reportRejected`. */
export function currentAfterFetch(e: Engine): Credentials | null {
  const held = current(e)
  if (held) return held.credentials
  if (e._status === 'signedOut') return null
  throw e._lastError ?? new KeywayError('ERR_PROVIDER', 'No credentials could be obtained')
}
