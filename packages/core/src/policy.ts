/**
 * The numbers behind the session's behaviour. Every one has a default from the design;
 * pass any of them to `createSession` to change it.
 */
export interface RefreshPolicy {
  /** Refresh this fraction of a token's lifetime before expiry (clamped). Default 0.25. */
  leadFraction: number
  /** Smallest refresh lead. Default 10 s. */
  minLeadMs: number
  /** The lead is never more than this fraction of the lifetime (short tokens). Default 0.4. */
  maxLeadFraction: number
  /** Largest refresh lead. Default 5 min. */
  maxLeadMs: number
  /** Up to this fraction of the lifetime is taken off the lead at random (earlier, never later). Default 0.1. */
  jitterFraction: number
  /**
   * Below `max(this, 2 × last fetch time)` of life left (at most a quarter of the lifetime),
   * `getToken()` waits for a new token. Default 5 s.
   */
  minRemainingMs: number
  /**
   * Two connector calls are at least `min(this, lifetime / 4)` apart, except for a rejection
   * or a user change. Default 1 s.
   */
  minCallGapMs: number
  /** A connector call is aborted after this long. Default 15 s. */
  fetchTimeoutMs: number
  /** First backoff step after a transient failure. Default 1 s. */
  backoffBaseMs: number
  /** Largest backoff step. Default 60 s. */
  backoffCapMs: number
  /**
   * Under failure, at most this many failed connector calls in any minute. Healthy refreshes
   * and rejections answered with a new token do not count. Default 6.
   */
  maxCallsPerMinute: number
  /**
   * A chain of new tokens that backends reject each in turn (a wrong audience) stops after
   * this many connector calls, then fails with `ERR_REJECTED` and backs off. Default 3.
   */
  maxRejectionChain: number
  /** No timer is armed for longer than this; it re-arms instead, so a sleep is noticed. Default 5 min. */
  maxTimerMs: number
  /** A timer that fires after more than this multiple of its delay means the device slept. Default 2. */
  lateTimerFactor: number
  /** Warn once when the local clock differs from the issuer's by more than this. Default 30 s. */
  skewWarningMs: number
  /** Wait at most this long for another tab's refresh lock, then fall back. Default 10 s. */
  lockWaitMs: number
}

export const DEFAULT_POLICY: Readonly<RefreshPolicy> = Object.freeze({
  leadFraction: 0.25,
  minLeadMs: 10_000,
  maxLeadFraction: 0.4,
  maxLeadMs: 5 * 60_000,
  jitterFraction: 0.1,
  minRemainingMs: 5_000,
  minCallGapMs: 1_000,
  fetchTimeoutMs: 15_000,
  backoffBaseMs: 1_000,
  backoffCapMs: 60_000,
  maxCallsPerMinute: 6,
  maxRejectionChain: 3,
  maxTimerMs: 5 * 60_000,
  lateTimerFactor: 2,
  skewWarningMs: 30_000,
  lockWaitMs: 10_000,
})

/** Browsers and Node overflow timers above 2^31 − 1 ms and fire them at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1
