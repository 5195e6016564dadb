/**
 * Cases per property: `FUZZ_RUNS` from the environment (the `fuzz` script sets a large one),
 * a small default so `pnpm test` stays fast. A seed can be replayed with `FUZZ_SEED`.
 */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 500) || 500)

export const fuzzParameters = {
  numRuns: FUZZ_RUNS,
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
}

/** Counts cases per property so a run can report them. */
export const executed: Record<string, number> = {}
export function count(property: string): void {
  executed[property] = (executed[property] ?? 0) + 1
}

/** Per-test timeout that grows with the run count (about 5 ms a case is ample here). */
export const FUZZ_TIMEOUT_MS = Math.max(20_000, FUZZ_RUNS * 5)
