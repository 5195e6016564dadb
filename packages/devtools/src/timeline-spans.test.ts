import { describe, expect, it } from 'vitest'
import { layoutStrip } from './timeline-spans.js'
import type { TimelineEntry } from './timeline-store.js'

let n = 0
const entry = (e: Record<string, unknown>) =>
  ({ id: `t:${n++}`, tab: 't', session: 's', ...e }) as TimelineEntry

describe('layoutStrip', () => {
  it('draws token lives, fetch ticks, a backoff wait, offline and background spans', () => {
    const items = layoutStrip(
      [
        entry({ type: 'fetch', at: 0, reason: 'initial' }),
        entry({
          type: 'credentials',
          at: 100,
          from: 'connector',
          reason: 'initial',
          userId: 'u',
          expiresAt: 60_000,
        }),
        entry({ type: 'host', at: 1_000, signal: 'offline' }),
        entry({ type: 'host', at: 2_000, signal: 'wake' }),
        entry({ type: 'host', at: 3_000, signal: 'online' }),
        entry({ type: 'fetch', at: 40_000, reason: 'proactive' }),
        entry({
          type: 'failure',
          at: 40_500,
          reason: 'proactive',
          code: 'ERR_NETWORK',
          transient: true,
          retryAt: null,
        }),
        entry({ type: 'fetch', at: 42_000, reason: 'proactive' }),
        entry({ type: 'credentials', at: 42_100, from: 'tab', userId: 'u', expiresAt: 102_000 }),
        entry({ type: 'host', at: 50_000, signal: 'background' }),
      ],
      55_000,
    )
    expect(items).toEqual([
      { kind: 'fetch', at: 0, reason: 'initial' },
      { kind: 'token', start: 100, end: 42_100, from: 'connector', reason: 'initial', userId: 'u' },
      { kind: 'offline', start: 1_000, end: 3_000 },
      { kind: 'fetch', at: 40_000, reason: 'proactive' },
      { kind: 'failure', at: 40_500, code: 'ERR_NETWORK', transient: true },
      { kind: 'wait', start: 40_500, end: 42_000 },
      { kind: 'fetch', at: 42_000, reason: 'proactive' },
      { kind: 'token', start: 42_100, end: 102_000, from: 'tab', userId: 'u' },
      { kind: 'background', start: 50_000, end: 55_000 },
    ])
  })

  it('a wait still under way ends at the retry time the failure gave', () => {
    const items = layoutStrip(
      [
        entry({ type: 'fetch', at: 0, reason: 'proactive' }),
        entry({
          type: 'failure',
          at: 100,
          reason: 'proactive',
          code: 'ERR_NETWORK',
          transient: true,
          retryAt: 2_100,
        }),
      ],
      1_000,
    )
    expect(items.at(-1)).toEqual({ kind: 'wait', start: 100, end: 2_100 })
  })

  it('a final failure and a sign-out end the token; a closed tab ends its open spans', () => {
    const items = layoutStrip(
      [
        entry({ type: 'held', at: 0, userId: 'u', expiresAt: 60_000 }),
        entry({
          type: 'failure',
          at: 5_000,
          reason: 'manual',
          code: 'ERR_REVOKED',
          transient: false,
          retryAt: null,
        }),
        entry({
          type: 'credentials',
          at: 6_000,
          from: 'connector',
          reason: 'manual',
          userId: 'u',
          expiresAt: 66_000,
        }),
        entry({ type: 'host', at: 7_000, signal: 'offline' }),
        entry({ type: 'signedOut', at: 8_000 }),
        entry({ type: 'closed', at: 9_000 }),
      ],
      20_000,
    )
    expect(items.filter((i) => i.kind === 'token')).toEqual([
      { kind: 'token', start: 0, end: 5_000, from: 'held', userId: 'u' },
      { kind: 'token', start: 6_000, end: 8_000, from: 'connector', reason: 'manual', userId: 'u' },
    ])
    expect(items.at(-1)).toEqual({ kind: 'offline', start: 7_000, end: 9_000 })
  })

  it("puts the refresh point a 'scheduled' event gives on the token held then", () => {
    const [first, second] = layoutStrip(
      [
        entry({ type: 'credentials', at: 0, from: 'connector', userId: 'u', expiresAt: 60_000 }),
        entry({ type: 'scheduled', at: 1, refreshAt: 43_000 }),
        entry({ type: 'scheduled', at: 5_000, refreshAt: 30_000 }),
        entry({
          type: 'credentials',
          at: 30_100,
          from: 'connector',
          userId: 'u',
          expiresAt: 90_100,
        }),
      ],
      31_000,
    )
    expect(first).toMatchObject({ kind: 'token', end: 30_100, refreshAt: 30_000 })
    expect(second).toMatchObject({ kind: 'token', start: 30_100 })
    expect(second).not.toHaveProperty('refreshAt')
  })
})
