import type { Credentials } from './contract.js'
import { decodeJwt } from './jwt.js'
import { isStoredCredentials, type Platform, type StoredCredentials } from './platform.js'

/** Credentials as the session holds them: anchored to the local clocks at arrival. */
export interface HeldCredentials {
  credentials: Credentials
  userId: string | null
  /** Monotonic and wall time at which the token stops being usable; `null` = until rejected. */
  expiresMono: number | null
  expiresWall: number | null
  /** The token's whole lifetime (for the refresh lead); `null` when unknown. */
  lifetimeMs: number | null
  receivedWall: number
  /** Monotonic time at which to refresh (lead and jitter applied once per token). */
  refreshAtMono: number | null
  /** How many times a backend rejected this very token. */
  rejections: number
}

/**
 * Estimates the offset between the issuer's clock and the local wall clock from
 * freshly minted tokens: a token's `iat` is at most "now" on the issuer, so the largest
 * recent sample is the best estimate (cached, older tokens give smaller ones).
 *
 * Samples are kept against the monotonic clock (`iat − receivedMono`), not the wall clock:
 * when the user or NTP moves the wall clock, samples taken before the move stay true, and
 * the skew against the new wall time follows at once. (Kept against the wall clock, the
 * samples from before a forward jump would win the max and make every new token look
 * expired on arrival.) A monotonic clock that stood still in a sleep only makes old
 * samples smaller, so the max still picks the fresh one.
 */
export class SkewEstimator {
  private samples: number[] = []

  add(iatMs: number, receivedMono: number): void {
    this.samples.push(iatMs - receivedMono)
    if (this.samples.length > 5) this.samples.shift()
  }

  /** Issuer clock minus local wall clock at this moment, ms; 0 until a token with `iat` arrived. */
  skewMs(platform: Pick<Platform, 'now' | 'wallNow'>): number {
    if (this.samples.length === 0) return 0
    return Math.max(...this.samples) + platform.now() - platform.wallNow()
  }
}

/**
 * Anchors fresh credentials to the local clocks. Remaining life comes from
 * `exp − (local now + estimated skew)`: the token's relative lifetime, immune to a wrong
 * local clock. `expiresAt` (local epoch ms) can only shorten it.
 * Throws `ERR_MALFORMED_TOKEN` when the token is not a JWT.
 */
export function anchorCredentials(
  credentials: Credentials,
  platform: Platform,
  skew: SkewEstimator,
): HeldCredentials {
  const { payload } = decodeJwt(credentials.token)
  const receivedWall = platform.wallNow()
  const receivedMono = platform.now()
  if (payload.iat !== undefined) skew.add(payload.iat * 1000, receivedMono)

  let remaining: number | null = null
  // `iat` and `exp` have one-second resolution, so the skew estimate can be up to a second
  // short: count the token as ending a second early rather than hand it out dead.
  if (payload.exp !== undefined)
    remaining = payload.exp * 1000 - (receivedWall + skew.skewMs(platform)) - 1000
  if (typeof credentials.expiresAt === 'number' && Number.isFinite(credentials.expiresAt)) {
    const byExpiresAt = credentials.expiresAt - receivedWall
    remaining = remaining === null ? byExpiresAt : Math.min(remaining, byExpiresAt)
  }
  const lifetimeMs =
    payload.exp !== undefined && payload.iat !== undefined
      ? (payload.exp - payload.iat) * 1000
      : remaining
  return {
    credentials,
    userId: payload.sub ?? null,
    expiresMono: remaining === null ? null : receivedMono + remaining,
    expiresWall: remaining === null ? null : receivedWall + remaining,
    lifetimeMs,
    receivedWall,
    refreshAtMono: null,
    rejections: 0,
  }
}

/** Life left on both clocks, the smaller one: the monotonic clock may stand still in sleep. */
export function remainingMs(held: HeldCredentials, platform: Platform): number {
  if (held.expiresMono === null || held.expiresWall === null) return Number.POSITIVE_INFINITY
  return Math.min(held.expiresMono - platform.now(), held.expiresWall - platform.wallNow())
}

/** The wall-clock form shared with storage and other tabs (same device, same wall clock). */
export function toStored(held: HeldCredentials): StoredCredentials {
  const { token, endpoint } = held.credentials
  return {
    token,
    ...(endpoint === undefined ? {} : { endpoint }),
    expiresAtWall: held.expiresWall,
    lifetimeMs: held.lifetimeMs,
    receivedAtWall: held.receivedWall,
    userId: held.userId,
  }
}

/** Re-anchors stored credentials to this tab's monotonic clock. `undefined` for bad data. */
export function fromStored(stored: unknown, platform: Platform): HeldCredentials | undefined {
  if (!isStoredCredentials(stored)) return undefined
  const s = stored
  try {
    decodeJwt(s.token)
  } catch {
    return undefined
  }
  const expiresWall = s.expiresAtWall ?? null
  return {
    credentials: {
      token: s.token,
      ...(typeof s.endpoint === 'string' ? { endpoint: s.endpoint } : {}),
      ...(expiresWall === null ? {} : { expiresAt: expiresWall }),
    },
    userId: typeof s.userId === 'string' ? s.userId : null,
    expiresMono: expiresWall === null ? null : platform.now() + (expiresWall - platform.wallNow()),
    expiresWall,
    lifetimeMs: typeof s.lifetimeMs === 'number' ? s.lifetimeMs : null,
    receivedWall: s.receivedAtWall,
    refreshAtMono: null,
    rejections: 0,
  }
}
