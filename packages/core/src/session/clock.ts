import type { Platform } from '../platform.js'

/**
 * What this tab knows of the issuer's clock: bounds on `issuer time − local monotonic time`,
 * from the `iat` of the tokens it received. Kept against the monotonic clock, so a user or
 * NTP moving the wall clock changes nothing.
 *
 * A token minted by a forced call was minted between the call's start (`sent`) and its
 * answer (`received`), and `iat` is that instant rounded down to the second, so
 * `iat − received ≤ skew < iat + 1 s − sent`. A late answer widens its own interval and
 * never moves the bounds past the truth: the estimate used for expiry is the upper bound,
 * which anchors a token to the moment its call started, never as if the answer were instant.
 */
export interface ClockEstimate {
  /** Largest lower bound seen (any token: a cached one only makes it smaller). */
  _lo: number
  /** Smallest upper bound seen (tokens minted for this call only), `Infinity` before one. */
  _hi: number
  /** The newest `iat` seen: a token issued before it was not minted for a later call. */
  _newest: number
  /** The last cached token's bound as if it were minted for its call: a guess, not a bound. */
  _guess: number
}

export function newClockEstimate(): ClockEstimate {
  return {
    _lo: -Infinity,
    _hi: Infinity,
    _newest: 0,
    _guess: -Infinity,
  }
}

/**
 * Adds one token's bounds. `fresh`: the token was minted for this call (a forced refresh that
 * brought a new token). A token the provider may have cached (a first fetch, a token handed
 * back for a forced call) is older than the call and gives no upper bound. Bounds that
 * contradict the estimate mean the clocks' rates changed (the monotonic clock stood still in
 * a sleep, or ran ahead of the issuer's): the newest token is the truth, and the estimate
 * starts again from it.
 */
export function observeIssuerClock(
  estimate: ClockEstimate,
  iatMs: number,
  sentMono: number,
  receivedMono: number,
  fresh: boolean,
): void {
  // A provider that ignores a forced refresh hands back an older token: no upper bound, and
  // above all no reset of the estimate from it.
  if (iatMs < estimate._newest) fresh = false
  estimate._newest = Math.max(estimate._newest, iatMs)
  const lo = iatMs - receivedMono
  let hi = iatMs + 1000 - sentMono
  if (!fresh) {
    estimate._guess = hi
    hi = Infinity
  }
  if (lo > estimate._hi || hi < estimate._lo) {
    estimate._lo = lo
    estimate._hi = hi
    return
  }
  estimate._lo = Math.max(estimate._lo, lo)
  estimate._hi = Math.min(estimate._hi, hi)
}

/**
 * Issuer time minus local monotonic time, the careful (larger) end. Until a token minted for
 * a call gives an upper bound, the careful end of what is known stands in for it: the last
 * cached token taken as if minted for its call, and the local wall clock (`wallOffset`: wall
 * minus monotonic time now). The wall clock matters for a cached token hours old, whose `iat`
 * alone would make it look newly minted; the guess, for a new token and a local clock that
 * runs behind. A local clock that runs ahead only makes a token look shorter: one early
 * forced refresh brings the bound.
 */
export function issuerOffset(estimate: ClockEstimate, wallOffset: number): number {
  const { _lo, _hi } = estimate
  return _hi === Infinity ? Math.max(_lo, estimate._guess, wallOffset) : Math.max(_lo, _hi)
}

/** Issuer clock minus local wall clock now, for the skew warning; 0 when nothing is known. */
export function skewMs(estimate: ClockEstimate, platform: Platform): number {
  const wallOffset = platform.wallNow() - platform.now()
  return issuerOffset(estimate, wallOffset) - wallOffset
}
