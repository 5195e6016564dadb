// Helpers for tests that run a real engine client on real timers (the sync engine adapters'
// tests and soaks): waiting, and measuring how long something was down.

/** Resolves after `ms` of wall-clock time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Polls `check` every 10 ms until it holds; throws after `timeoutMs` (default 5 s).
 *
 * @example
 * ```ts
 * await waitFor(() => rows.length === 3)
 * ```
 */
export async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms`)
    await sleep(10)
  }
}

/** The longest stretch a double saw with nothing authenticated (no stream, no joined channel…). */
export interface OutageMeter {
  /** Tell it whether anything is up now. Stretches count only once something has been up. */
  note(up: boolean): void
  /** Closes a stretch still open at the end of the test. */
  finish(): void
  readonly longestMs: number
}

/**
 * Measures the longest stretch with nothing up, on the wall clock.
 *
 * @example
 * ```ts
 * const outage = createOutageMeter()
 * outage.note(streams.size > 0)
 * ```
 */
export function createOutageMeter(): OutageMeter {
  let downSince: number | undefined
  let everUp = false
  let longestMs = 0
  const close = () => {
    if (downSince !== undefined) longestMs = Math.max(longestMs, Date.now() - downSince)
    downSince = undefined
  }
  return {
    note(up) {
      if (up) {
        everUp = true
        close()
      } else if (everUp && downSince === undefined) downSince = Date.now()
    },
    finish: close,
    get longestMs() {
      return longestMs
    },
  }
}

/** How many connector calls had each reason: `{ initial: 1, proactive: 3, rejected: 2 }`. */
export function countReasons(calls: ReadonlyArray<{ reason: string }>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const { reason } of calls) counts[reason] = (counts[reason] ?? 0) + 1
  return counts
}

/**
 * The token lifetime for a real-time soak of `soakMs`: a quarter of the soak, from 4 s to
 * 20 s. The short soak of `pnpm test` (9 s) crosses two lifetimes of 4 s tokens; a long one
 * (`pnpm soak`, 5 min) runs on 20 s tokens.
 *
 * @example
 * ```ts
 * soakLifetimeSec(9_000) // 4
 * soakLifetimeSec(300_000) // 20
 * ```
 */
export function soakLifetimeSec(soakMs: number): number {
  return Math.min(20, Math.max(4, Math.round(soakMs / 4_000)))
}

/**
 * The shortest time between two proactive refreshes of tokens of `lifetimeSec` (up to 25 s),
 * for a soak's bound on connector calls. The session replaces such a token 0.4 of its
 * lifetime before expiry, plus up to 0.1 of jitter: half a lifetime after `iat`. `iat` is in
 * whole seconds, so up to 1 s of that half may be gone when the token arrives.
 *
 * @example
 * ```ts
 * const budget = 1 + injected + Math.ceil(elapsedMs / shortestRefreshIntervalMs(20))
 * ```
 */
export function shortestRefreshIntervalMs(lifetimeSec: number): number {
  return (lifetimeSec / 2 - 1) * 1000
}
