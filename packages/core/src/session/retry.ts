import type { KeywayError } from '../errors.js'
import type { RefreshPolicy } from '../policy.js'

/**
 * Retrying after failures: backoff, the provider's `Retry-After`, and the failure budget.
 *
 * - Backoff: full jitter, `random × min(cap, base × 2^(n−1))` after the n-th failure in a row.
 *   A caller waiting for a token may cut it short (one probe), the host's `online` and wake
 *   signals too.
 * - `Retry-After` is a floor for every call, whoever asks.
 * - The budget: at most `maxCallsPerMinute` failed calls in any minute. Only failures count
 *   (a transient error, a token a backend rejected again): healthy refreshes and rejections
 *   answered with an accepted token never spend it.
 */
export interface RetryState {
  /** Failures since the last success. */
  _inRow: number
  /** Monotonic time before which the backoff holds a scheduled retry. */
  _backoffUntil: number
  /** Monotonic time before which no call goes out at all (the provider's Retry-After). */
  _notBefore: number
  /** Monotonic start times of the failed calls of the last minute. */
  _failed: number[]
  /**
   * The last failure was a backend's refusal (`ERR_REJECTED`): a waiting caller's probe would
   * only fetch another token to be refused, so the backoff holds for it too.
   */
  _refused: boolean
}

export function newRetryState(): RetryState {
  return { _inRow: 0, _backoffUntil: 0, _notBefore: 0, _failed: [], _refused: false }
}

/**
 * Delay before retry number `attempt` (1-based) after a transient failure: full jitter,
 * `random × min(cap, base × 2^(attempt−1))`.
 */
export function backoffDelay(attempt: number, policy: RefreshPolicy, random: () => number): number {
  return (
    random() * Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1))
  )
}

/**
 * The failure budget: when the next call fits, given the start times of failed calls
 * (ascending) and at most `limit` in any minute; `now` when it fits already. Times older than
 * a minute are dropped from `failed`.
 */
export function nextCallAllowed(failed: number[], limit: number, now: number): number {
  while (failed.length > 0 && failed[0]! <= now - 60_000) failed.shift()
  return failed.length < limit ? now : failed[failed.length - limit]! + 60_000
}

/** Records a failed call that started at `startedAt`; arms the backoff and the Retry-After floor. */
export function recordFailure(
  retry: RetryState,
  error: KeywayError | undefined,
  startedAt: number,
  now: number,
  policy: RefreshPolicy,
  random: () => number,
): void {
  retry._failed.push(startedAt)
  retry._refused = error?.code === 'ERR_REJECTED'
  retry._backoffUntil = now + backoffDelay(++retry._inRow, policy, random)
  if (error?.retryAfterMs) retry._notBefore = Math.max(retry._notBefore, now + error.retryAfterMs)
}

/** A success ends the backoff (the budget and the Retry-After floor stay as they are). */
export function recordSuccess(retry: RetryState): void {
  retry._inRow = retry._backoffUntil = 0
  retry._refused = false
}

/**
 * The earliest monotonic time a call may go out. `probe`: a caller is waiting, or the host
 * came back online, so the backoff gives way; the Retry-After floor and, while failing, the
 * budget never do.
 */
export function retryAllowedAt(
  retry: RetryState,
  policy: RefreshPolicy,
  now: number,
  probe: boolean,
): number {
  let at = Math.max(now, retry._notBefore)
  if (retry._inRow > 0) {
    if (!probe || retry._refused) at = Math.max(at, retry._backoffUntil)
    at = Math.max(at, nextCallAllowed(retry._failed, policy.maxCallsPerMinute, now))
  }
  return at
}
