import type { Credentials } from '../contract.js'
import { KeywayError } from '../errors.js'
import { redactToken } from '../redact.js'
import type { Engine } from './engine.js'
import { blockedBy, currentAfterFetch, runFetch } from './fetch.js'
import { getCredentials } from './hand-out.js'
import { schedule } from './proactive-refresh.js'
import { recordFailure } from './retry.js'
import { changed, current, event, fail, log } from './state.js'

/**
 * A backend said 401. Every report of the held token while its answer is coming shares that
 * answer: N requests in flight with one token make one connector call, and all N get the same
 * new credentials. A report of an older token is answered with the current credentials.
 *
 * - The provider may hand back the same token once (the backend may have had a blip); a
 *   backend that rejects it again makes it "rejected twice": `ERR_REJECTED`, retried with
 *   backoff, local data untouched.
 * - A chain of new tokens each rejected in turn (a wrong audience) stops after
 *   `maxRejectionChain` calls with `ERR_REJECTED` and backoff. A token a backend accepted
 *   (`reportAccepted`), or one that lived to its refresh, ends the chain: independent
 *   revocations never spend the failure budget.
 */
export function reportRejected(e: Engine, token: string): Promise<Credentials | null> {
  const { _p: p, _policy: policy } = e
  e._counters.rejections++
  const held = e._held
  const isCurrent = held?.token === token && !held.stale
  event(e, { type: 'rejection', current: isCurrent })
  if (!isCurrent) return getCredentials(e)
  if (e._rejecting?.token === token) return e._rejecting.answer as Promise<Credentials | null>
  log(e, 'debug', `token ${redactToken(token)} rejected by a backend`)
  held.rejected = true
  const now = p.now()
  let error: KeywayError | undefined
  if (held.rejections > 0)
    error = new KeywayError('ERR_REJECTED', 'The backend rejected the same token twice')
  else if (e._chain >= policy.maxRejectionChain)
    error = new KeywayError('ERR_REJECTED', `Backends rejected ${e._chain} new tokens in a row`)
  if (error) {
    held.rejections++
    recordFailure(e._retry, error, now, now, policy, p.random)
    fail(e, error)
    schedule(e)
    return Promise.reject(error)
  }
  // The token before this one came from a rejection and was rejected in turn: a failure.
  if (e._chain > 0) e._retry._failed.push(now)
  e._chain++
  changed(e)
  const answer = answerRejection(e, token)
  const rejecting = { token, answer }
  e._rejecting = rejecting
  const done = () => {
    if (e._rejecting === rejecting) e._rejecting = null
  }
  answer.then(done, done)
  return answer
}

/** A backend accepted `token`: a chain of rejections is over. */
export function reportAccepted(e: Engine, token: string): void {
  if (e._chain && e._held?.token === token) e._chain = 0
}

async function answerRejection(e: Engine, token: string): Promise<Credentials | null> {
  // A refresh already under way may bring a new token: that is the answer, without a call.
  while (e._inflight) await e._inflight
  const held = current(e)
  if (held && held.token !== token) return held.credentials
  if (e._status === 'signedOut') return null
  const failures = e._counters.failures
  // A probe: a backoff wait gives way to a backend's 401, the Retry-After floor and the
  // failure budget do not.
  const blocked = blockedBy(e, 'rejected', true)
  if (!blocked) await runFetch(e, 'rejected', true)
  while (e._inflight) await e._inflight
  if (blocked || e._counters.failures > failures) {
    // No replacement for now: the token stays, as rejected once, and is served again rather
    // than none (a transient fault never drops a still-valid token).
    const same = e._held
    if (same?.token === token && same.rejected && (blocked || e._lastError?.transient)) {
      same.rejected = false
      same.rejections = 1
      changed(e)
    }
    throw (
      blocked ??
      e._lastError ??
      new KeywayError('ERR_REJECTED', 'No replacement for a rejected token')
    )
  }
  return currentAfterFetch(e)
}
