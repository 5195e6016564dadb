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
