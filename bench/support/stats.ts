import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The q-quantile (0..1) of `values`, nearest-rank on a sorted copy. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits))

export const RESULTS_DIR = fileURLToPath(new URL('../.tmp/results/', import.meta.url))

/** Each stage runs in its own process and leaves its numbers here for bench/run.ts. */
export function writeStage(name: string, data: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(`${RESULTS_DIR}${name}.json`, `${JSON.stringify(data, null, 2)}\n`)
}
