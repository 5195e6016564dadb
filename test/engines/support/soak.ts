import { createSession } from '@keyway/core'
import type { TestIssuer } from './issuer.js'

/**
 * How long each soak runs: 25 s by default (CI), `KEYWAY_SOAK_SECONDS` for a longer one. At
 * least 15 s: the injected refusals ride on the session's own refreshes of 20 s tokens.
 */
export function soakMs(): number {
  const seconds = Number(process.env.KEYWAY_SOAK_SECONDS ?? 25)
  return Math.max(15, seconds) * 1000
}

/** Polls `check` every 20 ms on the real clock; throws after `timeoutMs`. */
export async function until(
  check: () => boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Measures how long an engine client stays without authentication: from the moment it
 * loses it (a refusal, a close) to the moment it has it again. `lost()` and `regained()`
 * are wired to the engine's own events by the caller.
 */
export function gapMeter() {
  let since: number | undefined
  const meter = {
    gaps: [] as number[],
    get maxGapMs() {
      return Math.max(0, ...meter.gaps, since === undefined ? 0 : Date.now() - since)
    },
    lost() {
      since ??= Date.now()
    },
    regained() {
      if (since !== undefined) meter.gaps.push(Date.now() - since)
      since = undefined
    },
  }
  return meter
}

interface AuthEvents {
  on(event: string, fn: (...args: never[]) => void): unknown
}

/** A gap meter on a Hocuspocus provider's own events, plus a count of refusals. */
export function authWatch(provider: AuthEvents) {
  const meter = gapMeter()
  const watch = Object.assign(meter, { failures: 0 })
  provider.on('authenticationFailed', () => {
    watch.failures++
    meter.lost()
  })
  provider.on('close', () => meter.lost())
  provider.on('authenticated', () => meter.regained())
  return watch
}

/**
 * Every how many ticks of `tickMs` an injected fault comes: every 6 s, or four times per
 * soak when the soak is shorter than 24 s.
 */
export function faultEvery(durationMs: number, tickMs: number, preferredMs = 6_000): number {
  return Math.max(1, Math.round(Math.min(preferredMs, durationMs / 4) / tickMs))
}

/** The lifetime of every token in the engine tests: short, so a soak sees several refreshes. */
export const LIFETIME_SEC = 20

/**
 * The session's call budget in the engine tests. The design leaves healthy refreshes and
 * accepted rejections out of the 6-a-minute budget; the stand-in engine these tests were
 * written on counted them, and 20 s tokens alone are 6 healthy calls a minute, so its default
 * stopped the first rejection of the minute (a 7 s needs-auth/denied stall). Raised here until
 * the engine is shown to count failing calls only (the v2 engine passes the Neon soak at 6).
 */
const BUDGET = 30

/** A session for `user` over the test issuer's connector; `calls` logs each connector call. */
export function sessionFor(issuer: TestIssuer, user: string) {
  const connector = issuer.connector(user)
  return {
    session: createSession({ connector, maxCallsPerMinute: BUDGET }),
    calls: connector.calls,
  }
}

/**
 * Connector calls by reason across `clients`, and the design's bound on them: one per token
 * lifetime (the session replaces a 20 s token 8–10 s after it arrived, 10 s lead plus up to
 * 10% jitter) per client, plus one per refusal.
 */
export function connectorCalls(
  clients: Array<{ calls: Array<{ reason: string }> }>,
  elapsedMs: number,
  refusals: number,
) {
  const reasons = clients.flatMap((c) => c.calls.map((x) => x.reason))
  const count = (reason: string) => reasons.filter((r) => r === reason).length
  const shortestLifeMs = (LIFETIME_SEC - 10 - LIFETIME_SEC / 10) * 1000
  return {
    initial: count('initial'),
    proactive: count('proactive'),
    rejected: count('rejected'),
    maxProactive: clients.length * (Math.ceil(elapsedMs / shortestLifeMs) + 1) + refusals,
  }
}
