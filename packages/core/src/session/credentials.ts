import type { Credentials } from '../contract.js'
import { decodeJwt } from '../jwt.js'
import { type Platform, type StoredCredentials, toStoredCredentials } from '../platform.js'
import { type ClockEstimate, issuerOffset, observeIssuerClock } from './clock.js'

/**
 * Credentials as the session holds them: the stored form (wall-clock times, shared with
 * storage and other tabs) plus the monotonic anchor of this tab.
 */
export interface HeldCredentials extends StoredCredentials {
  /** What consumers get, whatever the source: `{ token, expiresAt, endpoint? }`. */
  credentials: Credentials
  /** Monotonic time at which the token stops being usable; `null` = until rejected. */
  expiresMono: number | null
  /** How many times a backend rejected this very token (0, or 1 once the provider insisted). */
  rejections: number
  /** The provider changed user since this arrived: never handed out again. */
  stale?: boolean
  /** A backend rejected it and no answer came yet: not handed out meanwhile. */
  rejected?: boolean
  /** Milliseconds before expiry at which to refresh (lead and jitter drawn once per token). */
  refreshOffsetMs?: number
}

/** How a token reached this tab: when its call started, and whether it was forced. */
export interface Arrival {
  sentMono: number
  fresh: boolean
  anonymous: boolean
}

/** Anchors stored-form credentials to this tab's monotonic clock, in the one consumer shape. */
function hold(stored: StoredCredentials, platform: Platform): HeldCredentials {
  const { token, endpoint, expiresAtWall, receivedAtWall } = stored
  const wall = platform.wallNow()
  return {
    ...stored,
    credentials: {
      token,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(expiresAtWall === null ? {} : { expiresAt: expiresAtWall }),
    },
    // Received "in the future": the wall clock went back since, by an unknown amount, so
    // its wall-clock expiry says nothing of the life left. Treated as expired (refetched).
    expiresMono:
      expiresAtWall === null
        ? null
        : platform.now() + (receivedAtWall > wall ? 0 : expiresAtWall - wall),
    rejections: 0,
  }
}

/**
 * Anchors a connector's answer to the local clocks. The expiry comes from `exp` on the
 * issuer's clock as estimated from `iat` (see `ClockEstimate`): the token's relative lifetime,
 * immune to a wrong local wall clock. `expiresAt` (local epoch ms) can only shorten it.
 * Throws `ERR_MALFORMED_TOKEN` when the token is not a JWT.
 */
export function anchorCredentials(
  answer: Credentials,
  arrival: Arrival,
  platform: Platform,
  clock: ClockEstimate,
): HeldCredentials {
  const { token, endpoint, expiresAt } = answer
  const { exp, iat, sub } = decodeJwt(token).payload
  const now = platform.now()
  const wall = platform.wallNow()
  if (iat !== undefined) observeIssuerClock(clock, iat * 1000, arrival.sentMono, now, arrival.fresh)
  let expiresMono: number | null = null
  if (exp !== undefined) expiresMono = exp * 1000 - issuerOffset(clock, wall - now)
  if (typeof expiresAt === 'number' && Number.isFinite(expiresAt))
    expiresMono = Math.min(expiresMono ?? Infinity, now + expiresAt - wall)
  const remaining = expiresMono === null ? null : expiresMono - now
  return hold(
    {
      token,
      endpoint,
      expiresAtWall: remaining === null ? null : wall + remaining,
      lifetimeMs: exp !== undefined && iat !== undefined ? (exp - iat) * 1000 : remaining,
      receivedAtWall: wall,
      userId: sub ?? null,
      anonymous: arrival.anonymous,
    },
    platform,
  )
}

/** Life left on both clocks, the smaller one: the monotonic clock may stand still in sleep. */
export function remainingMs(held: HeldCredentials, platform: Platform): number {
  if (held.expiresMono === null || held.expiresAtWall === null) return Infinity
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
