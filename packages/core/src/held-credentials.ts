import type { Credentials } from './contract.js'
import { decodeJwt } from './jwt.js'
import { type Platform, type StoredCredentials, toStoredCredentials } from './platform.js'

/**
 * Credentials as the session holds them: the stored form (wall-clock times, shared with
 * storage and other tabs) plus the monotonic anchor of this tab.
 */
export interface HeldCredentials extends StoredCredentials {
  credentials: Credentials
  /** Monotonic time at which the token stops being usable; `null` = until rejected. */
  expiresMono: number | null
  /** How many times a backend rejected this very token. */
  rejections: number
  /** The provider changed user since this arrived: never handed out again. */
  stale?: boolean
  /** Milliseconds before expiry at which to refresh (lead and jitter drawn once per token). */
  refreshOffsetMs?: number
}

/**
 * Issuer clock minus local wall clock now, from the `iat` samples of freshly minted tokens:
 * a token's `iat` is at most "now" on the issuer, so the largest recent sample is the best
 * estimate (cached, older tokens give smaller ones). 0 until a token with `iat` arrived.
 *
 * Samples are kept against the monotonic clock (`iat − receivedMono`), not the wall clock:
 * when the user or NTP moves the wall clock, samples taken before the move stay true, and
 * the skew against the new wall time follows at once. (Kept against the wall clock, the
 * samples from before a forward jump would win the max and make every new token look
 * expired on arrival.) A monotonic clock that stood still in a sleep only makes old
 * samples smaller, so the max still picks the fresh one.
 */
export function skewMs(samples: number[], platform: Platform): number {
  return samples.length ? Math.max(...samples) + platform.now() - platform.wallNow() : 0
}

/**
 * Anchors stored-form credentials to this tab's monotonic clock. `credentials` are rebuilt
 * from the stored form whatever the source (a fetch, storage, another tab), so consumers see
 * one shape: `{ token, expiresAt, endpoint? }` with the skew-corrected local expiry.
 */
function hold(stored: StoredCredentials, platform: Platform): HeldCredentials {
  const { token, endpoint, expiresAtWall } = stored
  return {
    ...stored,
    credentials: {
      token,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(expiresAtWall === null ? {} : { expiresAt: expiresAtWall }),
    },
    expiresMono:
      expiresAtWall === null ? null : platform.now() + expiresAtWall - platform.wallNow(),
    rejections: 0,
  }
}

/**
 * Anchors fresh credentials to the local clocks, adding an `iat` sample to `skewSamples`
 * (the last 5 are kept). Remaining life comes from `exp − (local now + estimated skew)`:
 * the token's relative lifetime, immune to a wrong local clock. `expiresAt` (local epoch
 * ms) can only shorten it. Throws `ERR_MALFORMED_TOKEN` when the token is not a JWT.
 */
export function anchorCredentials(
  credentials: Credentials,
  anonymous: boolean,
  platform: Platform,
  skewSamples: number[],
): HeldCredentials {
  const { token, endpoint, expiresAt } = credentials
  const { exp, iat, sub } = decodeJwt(token).payload
  const receivedAtWall = platform.wallNow()
  if (iat !== undefined && skewSamples.push(iat * 1000 - platform.now()) > 5) skewSamples.shift()
  // `iat` and `exp` have one-second resolution, so the skew estimate can be up to a second
  // short: count the token as ending a second early rather than hand it out dead.
  let remaining =
    exp === undefined ? null : exp * 1000 - receivedAtWall - skewMs(skewSamples, platform) - 1000
  if (typeof expiresAt === 'number' && Number.isFinite(expiresAt))
    remaining = Math.min(remaining ?? Number.POSITIVE_INFINITY, expiresAt - receivedAtWall)
  // The stored fields as they are: `toStoredCredentials` trims them when they are shared.
  return hold(
    {
      token,
      endpoint,
      expiresAtWall: remaining === null ? null : receivedAtWall + remaining,
      lifetimeMs: exp !== undefined && iat !== undefined ? (exp - iat) * 1000 : remaining,
      receivedAtWall,
      userId: sub ?? null,
      anonymous,
    },
    platform,
  )
}

/** Life left on both clocks, the smaller one: the monotonic clock may stand still in sleep. */
export function remainingMs(held: HeldCredentials, platform: Platform): number {
  if (held.expiresMono === null || held.expiresAtWall === null) return Number.POSITIVE_INFINITY
  return Math.min(held.expiresMono - platform.now(), held.expiresAtWall - platform.wallNow())
}

/** Re-anchors stored credentials to this tab's monotonic clock. `undefined` for bad data. */
export function fromStored(value: unknown, platform: Platform): HeldCredentials | undefined {
  const stored = toStoredCredentials(value)
  if (!stored) return undefined
  try {
    decodeJwt(stored.token)
  } catch {
    return undefined
  }
  return hold(stored, platform)
}
