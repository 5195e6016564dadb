import { shortestRefreshIntervalMs, sleep, soakLifetimeSec } from '@keyway/core/testing'
import { expect, it } from 'vitest'
import { shapeSetup } from './shape-setup.js'

// Soak: the real ShapeStream over the /v1/shape double, real timers, a row every 100 ms, 2 s
// live long-polls and a 401 for a valid token every 0.65 token lifetime, none in the last 3 s
// (a 401 armed then might meet no request before the end). `pnpm test` runs it 9 s with 4 s
// tokens (two lifetimes, a 401 every 2.6 s); KEYWAY_SOAK_MS runs it longer (`pnpm soak`:
// 5 min, 20 s tokens, a 401 every 13 s).

const SOAK_MS = Number(process.env.KEYWAY_SOAK_MS ?? 9_000)
const LIFETIME_SEC = soakLifetimeSec(SOAK_MS)
const REJECT_EVERY_MS = LIFETIME_SEC * 650
/** A live long-poll (2 s) and Electric's retry after a 401 (up to 1 s). */
const QUIET_END_MS = 3_000
const INSERT_EVERY_MS = 100
const REFRESH_INTERVAL_MIN_MS = shortestRefreshIntervalMs(LIFETIME_SEC)

it(
  `soak (double of Electric's /v1/shape): ${SOAK_MS / 1000} s, ${LIFETIME_SEC} s tokens, a 401 every ${REJECT_EVERY_MS / 1000} s`,
  async () => {
    const { connector, session, shape, inserts, errors, stop } = await shapeSetup({
      lifetimeSec: LIFETIME_SEC,
      liveTimeoutMs: 2_000,
    })

    const started = Date.now()
    let inserted = 0
    let injected = 0
    let nextRejection = started + REJECT_EVERY_MS
    while (Date.now() - started < SOAK_MS) {
      shape.insert(inserted++)
      if (Date.now() >= nextRejection && Date.now() - started < SOAK_MS - QUIET_END_MS) {
        shape.rejectNext()
        injected++
        nextRejection += REJECT_EVERY_MS
      }
      await sleep(INSERT_EVERY_MS)
    }
    const deadline = Date.now() + 5_000
    while (inserts.length < inserted && Date.now() < deadline) await sleep(20)
    const elapsedMs = Date.now() - started
    await stop()

    const { requests } = shape
    const refused = requests.flatMap((r, i) => (r.status === 401 ? [i] : []))
    const resumedAtSameOffset = refused.filter(
      (i) => requests[i + 1]?.offset === requests[i]!.offset,
    )
    /** From each 401 to the next request the proxy let through: how long the stream had no auth. */
    const unauthorizedMs = refused.map((i) => {
      const next = requests.slice(i + 1).find((r) => r.status === 200)
      return (next?.at ?? Number.POSITIVE_INFINITY) - requests[i]!.at
    })
    const calls = connector.callCount
    const budget = 1 + injected + Math.ceil(elapsedMs / REFRESH_INTERVAL_MIN_MS)
    console.log(
      [
        `electric soak: ${(elapsedMs / 1000).toFixed(1)} s, ${LIFETIME_SEC} s tokens`,
        `rows inserted ${inserted}, received ${inserts.length} (${new Set(inserts).size} distinct)`,
        `requests ${requests.length} (live ${requests.filter((r) => r.live).length}), 401s ${refused.length} (injected ${injected}), resumed at the same offset ${resumedAtSameOffset.length}, other failures ${requests.filter((r) => r.status !== 200 && r.status !== 401).length}`,
        `longest from a 401 to the next accepted request ${Math.max(0, ...unauthorizedMs)} ms; errors surfaced ${errors.length}`,
        `connector calls ${calls} (≤ ${budget}: 1 + ${injected} rejections + one per ${REFRESH_INTERVAL_MIN_MS / 1000} s), session rejections ${session.getSnapshot().counters.rejections}, tokens used ${new Set(requests.map((r) => r.token)).size}`,
      ].join('\n  '),
    )

    expect(injected).toBeGreaterThanOrEqual(Math.floor((SOAK_MS - QUIET_END_MS) / REJECT_EVERY_MS))
    expect(inserts.length).toBe(inserted)
    expect(new Set(inserts).size).toBe(inserted)
    // Only the injected 401s: no request ever went out with an expired token.
    expect(refused.length).toBe(injected)
    expect(resumedAtSameOffset.length).toBe(injected)
    // Electric's own retry waits up to 1 s (its backoff's first delay, full jitter); keyway
    // adds only the connector call.
    expect(Math.max(0, ...unauthorizedMs)).toBeLessThan(1_500)
    expect(errors).toEqual([])
    expect(calls).toBeLessThanOrEqual(budget)
  },
  SOAK_MS + 30_000,
)
