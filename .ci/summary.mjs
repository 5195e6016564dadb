// Prints the plain closing line CI reads: "N passed, N failed[, N skipped]", summed over the
// JSON reports of every vitest phase (the Chromium suite runs on its own, after the rest).
import { readdirSync, readFileSync } from 'node:fs'

const dir = new URL('../.artifacts/', import.meta.url)
const reports = readdirSync(dir)
  .filter((f) => /^vitest-.*\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')))
const sum = (key) => reports.reduce((n, r) => n + r[key], 0)
const skipped = sum('numPendingTests') + sum('numTodoTests')
console.log(
  `tests: ${sum('numPassedTests')} passed, ${sum('numFailedTests')} failed${skipped ? `, ${skipped} skipped` : ''}`,
)
if (sum('numTotalTests') === 0) process.exit(1)
