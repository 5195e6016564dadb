// `pnpm bench`: runs every stage in its own Node process (so one stage's heap, timers and
// servers cannot bend another's numbers), then writes bench/results.md, bench/results.json and
// bench/storm.svg. Needs packages/*/dist for the size section (the root script builds first).

import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, platform, release, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { CHROMIUM } from '../scripts/chromium.mjs'
import type { ConcurrencyRow } from './concurrency.js'
import type { runStorm } from './storm.js'
import { stormSvg } from './storm-svg.js'
import { RESULTS_DIR, round } from './support/stats.js'
import type { ThroughputRow } from './throughput.js'
import type { VerifyRow } from './verify.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const TS = ['--expose-gc', '--conditions=@keyway/source', '--import', 'tsx']

interface SizeReport {
  core: number
  /** Bytes: the design's goal, what session engine v2 allows, the limit `pnpm size` holds. */
  coreBudget: { goal: number; allowed: number; limit: number }
  spokes: Array<{
    name: string
    budget: number
    state: 'ok' | 'empty' | 'missing'
    overCore?: number
    coreExternal?: number
  }>
  idbShare: number | null
  comparison: Array<{
    sdk: string
    version: string
    size: number
    spoke: string
    spokeState: string
    overCore?: number
  }>
  modules: Array<{ module: string; minBytes: number; share: number }>
  options: Array<{ option: string; gz: number; note: string }>
  rulesOnly: number
  bleed: Array<{ entry: string; name: string }>
}

interface Timed<T> {
  data: T
  seconds: number
}

function stage<T>(name: string, args: string[], fromStdout = false): Timed<T> {
  const started = performance.now()
  console.log(`\n── ${name}`)
  const run = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: fromStdout ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (run.status !== 0) throw new Error(`bench stage ${name} failed (exit ${run.status})`)
  const data = fromStdout
    ? (JSON.parse(run.stdout) as T)
    : (JSON.parse(readFileSync(`${RESULTS_DIR}${name}.json`, 'utf8')) as T)
  return { data, seconds: round((performance.now() - started) / 1000, 1) }
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`

/** Where the engine's rules alone stand against the allowance, and what sits above them. */
function rulesSentence(s: {
  core: number
  coreBudget: { allowed: number }
  rulesOnly: number
}): string {
  const { allowed } = s.coreBudget
  const rules = s.rulesOnly
  const against = rules <= allowed ? `${allowed - rules} B under` : `${rules - allowed} B over`
  return `${kb(rules)}, ${against} the ${kb(allowed)} allowance. The words of errors and logs, the devtools events, sharing across tabs and \`authFetch\` add ${kb(s.core - rules)} above them.`
}
const n = (value: number) => value.toLocaleString('en-US')
const x = (ratio: number) => `${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}×`
const table = (head: string[], rows: Array<Array<string | number>>) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')

function sizeSection(s: SizeReport): string {
  const spokeRows = s.spokes.map((p) => [
    `@keyway/${p.name}`,
    p.state === 'ok' ? kb(p.overCore!) : `dist ${p.state}: not measured`,
    p.state === 'ok' ? kb(p.coreExternal!) : '–',
    kb(p.budget),
    p.state !== 'ok'
      ? '–'
      : p.overCore! <= p.budget
        ? 'within'
        : `**over by ${p.overCore! - p.budget} B**`,
  ])
  const keywayFor = (c: SizeReport['comparison'][number]) =>
    c.spokeState === 'ok' ? s.core + c.overCore! : undefined
  const comparisonRows = s.comparison.map((c) => {
    const k = keywayFor(c)
    return [
      `${c.sdk} ${c.version}`,
      kb(c.size),
      `@keyway/${c.spoke}${c.spokeState === 'ok' ? '' : ` (dist ${c.spokeState})`}`,
      k === undefined ? `core only: ${kb(s.core)}` : kb(k),
      k === undefined ? x(s.core / c.size) : x(k / c.size),
    ]
  })
  const top = s.modules.slice(0, 12)
  return `## Size

min+gzip (gzip -9) of a full import (\`import * as x\`: nothing tree-shaken), bundled and minified
by rolldown through size-limit's own plugins, the same way as \`.size-limit.mjs\`.

**@keyway/core: ${kb(s.core)}** against the ${kb(s.coreBudget.allowed)} that session engine v2
allows (the design's goal: ${kb(s.coreBudget.goal)}): ${
    s.core > s.coreBudget.allowed
      ? `**over by ${s.core - s.coreBudget.allowed} B (${x(s.core / s.coreBudget.allowed)} the allowance)**`
      : 'within'
  }. \`pnpm size\` holds it under ${kb(s.coreBudget.limit)} meanwhile, against growth.

### Spokes over core

"Over core" = the package bundled together with all of core, minus core alone (what it costs an
app that ships core anyway). The "core external" column measures the package alone with
\`@keyway/core\` left out; it carries ~130 B of \`import *\` namespace wrapper and re-import
statements that no app pays twice. Provider SDKs are external in both.

${table(['package', 'over core', 'core external', 'budget', 'verdict'], spokeRows)}

${s.idbShare === null ? '' : `Of @keyway/browser's cost, **idb is ${kb(s.idbShare)}** (measured by leaving idb out).`}

### Against the provider SDKs keyway sits on

Same measure (min+gzip, full import, browser ESM entry of each package, resolved from the
keyway package that depends on it). The keyway column is core plus the connector; the ratio is
keyway ÷ SDK.

${table(['SDK', 'SDK size', 'keyway package', 'keyway (core + connector)', 'keyway ÷ SDK'], comparisonRows)}

### What fills core (esbuild metafile, minified bytes per source module)

${table(
  ['module', 'min bytes', 'share'],
  top.map((m) => [m.module, n(m.minBytes), `${(m.share * 100).toFixed(1)}%`]),
)}

### Core's entries, and what an app keeps of them

The anonymous identity and the upgrade live in \`@keyway/core/anonymous\` (and the browser's
device key store in \`@keyway/browser/anonymous\`). Each "the same …" row is core's real
\`src/index.ts\` with one part taken out, bundled by esbuild as tsup does (engine fields
shortened) and then measured like everything else: \`authFetch\` left out of the index; the
messages, the log lines and \`inspect\` events, or storage and cross-tab rewritten out of the
source before bundling (\`bench/size/core-breakdown.mjs\`). "The engine's rules alone" takes all
of them out at once: a floor, not a product. It is what session engine v2's invariants weigh by
themselves (shared rejection answers, the failure budget, Retry-After on every call,
issuer-clock bounds, per-consumer validity, the hand-out floor): ${rulesSentence(s)}

${table(
  ['option', 'min+gzip', 'vs allowance', 'note'],
  s.options.map((o) => [o.option, kb(o.gz), x(o.gz / s.coreBudget.allowed), o.note]),
)}

### Bleed check

${
  s.bleed.length === 0
    ? 'No provider name appears in the bundles of `@keyway/core` or `@keyway/core/testing` (case-insensitive, see `bench/size/check-bleed.mjs`).'
    : `**${s.bleed.length} provider name(s) found:** ${s.bleed.map((b) => `${b.name} in ${b.entry}`).join(', ')}`
}
`
}

function throughputSection(rows: ThroughputRow[]): string {
  return `## 1. Cached token throughput

tinybench (1.5 s per task after 0.3 s warm-up), both calls awaited, same process, token already
cached on both sides. ops/s = runs ÷ total time. keyway's session runs over the same SDK client
through its connector.

${table(
  [
    'provider',
    'SDK call',
    'SDK ops/s',
    'keyway getToken() ops/s',
    'keyway ÷ SDK',
    'mean latency SDK / keyway',
  ],
  rows.map((r) => [
    `${r.provider} ${r.sdkVersion}`,
    `\`${r.sdkCall}\``,
    n(r.sdkOpsPerSec),
    n(r.keywayOpsPerSec),
    x(r.ratio),
    `${r.sdkLatencyMeanUs} µs / ${r.keywayLatencyMeanUs} µs`,
  ]),
)}

${rows.map((r) => `- ${r.provider}: ${r.note}.`).join('\n')}
`
}

function concurrencySection(c: { connectorDelayMs: number; rows: ConcurrencyRow[] }): string {
  return `## 2. Concurrent callers at the moment of expiry

Fake clock (\`createTestPlatform\`): the device sleeps past the token's expiry; before the timers
that were due can fire, N \`getToken()\` calls arrive together. The connector answers after a
real ${c.connectorDelayMs} ms; waits are real time per caller.

${table(
  [
    'callers',
    'connector calls',
    'every caller got the new token',
    'wait p50',
    'wait p99',
    'wait max',
  ],
  c.rows.map((r) => [
    n(r.callers),
    r.connectorCalls,
    r.allGotNewToken ? 'yes' : '**no**',
    `${r.waitP50Ms} ms`,
    `${r.waitP99Ms} ms`,
    `${r.waitMaxMs} ms`,
  ]),
)}

Callers per connector call: ${c.rows.map((r) => `${n(r.callers)} → ${x(r.callers / r.connectorCalls)}`).join(', ')}.
`
}

function stormSection(s: ReturnType<typeof runStorm>): string {
  const keyway = s.results.find((r) => r.name === 'keyway')!
  const keyway60 = s.results.find((r) => r.name === 'keyway, 60 s tokens')!
  return `## 3. Refresh storm

${n(s.clients)} clients whose tokens were all issued within the same second (after an outage),
each refreshing by its SDK's policy and immediately getting a new token; refresh requests per
second at the provider over ${s.windowSec / 3600} h. "Ideal" = a perfectly even spread of one
refresh per client per token lifetime. The last column compares each peak with keyway's at the
same token lifetime.

${table(
  [
    'policy',
    'token life',
    'peak req/s',
    'at',
    'mean req/s',
    'peak ÷ mean',
    'peak ÷ ideal',
    'peak ÷ keyway peak',
  ],
  s.results.map((r) => [
    r.name,
    `${r.lifetimeSec} s`,
    n(r.peak),
    `${r.peakAtSec} s`,
    r.mean,
    x(r.peakOverMean),
    x(r.peakOverIdeal),
    x(r.peak / (r.lifetimeSec === 60 ? keyway60 : keyway).peak),
  ]),
)}

Models:
${s.results.map((r) => `- **${r.name}**: ${r.model}.`).join('\n')}

![refresh requests per second](storm.svg)
`
}

interface Lifecycle {
  sessions: number
  connectorCalls: number
  timersLeft: number
  platformListenersLeft: number
  connectorSubscriptionsLeft: number
  logLinesDropped: number
  heapDeltaBytes: number
  heapDeltaPerSessionBytes: number
  elapsedMs: number
}

function lifecycleSection(l: Lifecycle): string {
  return `## 4. Lifecycle

${n(l.sessions)} sessions on one test platform, each created, subscribed to, asked for a token
twice and disposed (half with their listener still attached), in ${l.elapsedMs} ms. Heap
compared after forced GC, after a 1 000-session warm-up.

${table(
  [
    'timers left',
    'host listeners left',
    'connector subscriptions left',
    'connector calls',
    'heap delta',
    'per session',
  ],
  [
    [
      l.timersLeft,
      l.platformListenersLeft,
      l.connectorSubscriptionsLeft,
      n(l.connectorCalls),
      `${n(l.heapDeltaBytes)} B`,
      `${l.heapDeltaPerSessionBytes} B`,
    ],
  ],
)}

The test platform itself keeps every debug line sessions log (${n(l.logLinesDropped)} lines
here); they are dropped before the heap is read, as they are the harness's memory.
`
}

interface PageLoad {
  browser: string
  reloads: number
  coldVisits: number
  coldIssuerRequests: number
  coldNavigationToTokenMedianMs: number
  issuerRequestsOnReloads: number
  otherRequestsOnReloads: number
  navigationToTokenMedianMs: number
  navigationToTokenP95Ms: number
  scriptToTokenMedianMs: number
  scriptToTokenP95Ms: number
}

function pageLoadSection(p: PageLoad): string {
  return `## 5. Page load in Chromium

${p.browser} (headless, ${CHROMIUM} via playwright-core), the browser test site
(\`test/browser/harness.ts\` + \`page.ts\`: @keyway/browser, IndexedDB persistence, http
connector, a loopback issuer counting requests). One visit persists a 1 h token; then
${p.reloads} reloads.

${table(
  ['', 'median', 'p95', 'issuer requests'],
  [
    [
      'reload, valid persisted token: navigation → first token',
      `${p.navigationToTokenMedianMs} ms`,
      `${p.navigationToTokenP95Ms} ms`,
      `${p.issuerRequestsOnReloads} in ${p.reloads} reloads`,
    ],
    [
      'same, page script start → first token',
      `${p.scriptToTokenMedianMs} ms`,
      `${p.scriptToTokenP95Ms} ms`,
      '',
    ],
    [
      `first visit, fresh profile (${p.coldVisits}×): navigation → first token`,
      `${p.coldNavigationToTokenMedianMs} ms`,
      '',
      `${p.coldIssuerRequests} in ${p.coldVisits} visits`,
    ],
  ],
)}

Reload ÷ first visit (median, navigation → token): ${x(p.navigationToTokenMedianMs / p.coldNavigationToTokenMedianMs)}.
Other requests during reloads (besides the document and its script): ${p.otherRequestsOnReloads}.
`
}

function verifySection(rows: VerifyRow[]): string {
  return `## 6. Server verification throughput

\`@keyway/server\`'s \`createVerifier().verify(token)\` against bare \`jose.jwtVerify(token,
createRemoteJWKSet(url))\`, same process, same token, same JWKS endpoint on loopback, both
caches warm (the healthy path). The two calls alternate one by one for 3 s (order swapped each
time, so both meet the same machine load); verifications/s = 1 ÷ the median call time. keyway does more per call (canonical encoding, issuer routing, \`iat\` and lifetime
checks, namespaces); its JWKS lookup is an index built once per fetched key set, where jose
filters the whole set on every call. Goal: keyway ≥ 0.9× jose.

${table(
  ['key set', 'alg', 'jose verifications/s', 'keyway verifications/s', 'keyway ÷ jose'],
  rows.map((r) => [r.keySet, r.alg, n(r.joseOpsPerSec), n(r.keywayOpsPerSec), `${r.ratio}×`]),
)}
`
}

const started = performance.now()
rmSync(RESULTS_DIR, { recursive: true, force: true })
const size = stage<SizeReport>('size', ['bench/size/report.mjs'], true)
const throughput = stage<{ rows: ThroughputRow[] }>('throughput', [...TS, 'bench/throughput.ts'])
const concurrency = stage<{ connectorDelayMs: number; rows: ConcurrencyRow[] }>('concurrency', [
  ...TS,
  'bench/concurrency.ts',
])
const storm = stage<ReturnType<typeof runStorm>>('storm', [...TS, 'bench/storm.ts'])
const lifecycle = stage<Lifecycle>('lifecycle', [...TS, 'bench/lifecycle.ts'])
const pageLoad = stage<PageLoad>('page-load', [...TS, 'bench/page-load.ts'])
const verify = stage<{ rows: VerifyRow[] }>('verify', [...TS, 'bench/verify.ts'])
const totalSeconds = round((performance.now() - started) / 1000, 1)

const cpu = cpus()
const machine = {
  node: process.version,
  cpu: `${cpu[0]?.model.trim() ?? 'unknown'} × ${cpu.length}`,
  memoryGiB: round(totalmem() / 2 ** 30, 1),
  os: `${platform()} ${release()}`,
  date: new Date().toISOString().slice(0, 10),
}
const seconds = {
  size: size.seconds,
  throughput: throughput.seconds,
  concurrency: concurrency.seconds,
  storm: storm.seconds,
  lifecycle: lifecycle.seconds,
  pageLoad: pageLoad.seconds,
  verify: verify.seconds,
  total: totalSeconds,
}

const markdown = `# keyway benchmarks

Written by \`pnpm bench\` (bench/run.ts); do not edit by hand.

| machine | |
|---|---|
| Node | ${machine.node} |
| CPU | ${machine.cpu} |
| memory | ${machine.memoryGiB} GiB |
| OS | ${machine.os} |
| date | ${machine.date} |
| run time | ${totalSeconds} s (size ${seconds.size} s, throughput ${seconds.throughput} s, concurrency ${seconds.concurrency} s, storm ${seconds.storm} s, lifecycle ${seconds.lifecycle} s, page load ${seconds.pageLoad} s, verify ${seconds.verify} s), after \`pnpm build\` |

${sizeSection(size.data)}
${throughputSection(throughput.data.rows)}
${concurrencySection(concurrency.data)}
${stormSection(storm.data)}
${lifecycleSection(lifecycle.data)}
${pageLoadSection(pageLoad.data)}
${verifySection(verify.data.rows)}`

writeFileSync(`${ROOT}bench/results.md`, markdown)
writeFileSync(`${ROOT}bench/storm.svg`, stormSvg(storm.data))
writeFileSync(
  `${ROOT}bench/results.json`,
  `${JSON.stringify(
    {
      machine,
      seconds,
      size: size.data,
      throughput: throughput.data,
      concurrency: concurrency.data,
      // Per-second counts are in storm.svg; the JSON keeps the summary.
      storm: {
        ...storm.data,
        results: storm.data.results.map(({ perSecond: _, ...r }) => r),
      },
      lifecycle: lifecycle.data,
      pageLoad: pageLoad.data,
      verify: verify.data,
    },
    null,
    2,
  )}\n`,
)
console.log(`\nbench: wrote bench/results.md, results.json, storm.svg in ${totalSeconds} s`)
