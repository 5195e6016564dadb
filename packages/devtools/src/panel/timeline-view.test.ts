import { describe, expect, it } from 'vitest'
import type { TimelineEntry } from '../timeline-store.js'
import { timelineHtml } from './timeline-view.js'

let n = 0
const entry = (e: Record<string, unknown>) =>
  ({ id: `t:${n++}`, tab: 't', session: 's', ...e }) as TimelineEntry

describe('timelineHtml', () => {
  const entries = [
    entry({ type: 'credentials', at: 0, from: 'connector', userId: 'u', expiresAt: 60_000 }),
    entry({ type: 'scheduled', at: 1, refreshAt: 43_000 }),
  ]
  const refreshMarks = (html: string) =>
    [...html.matchAll(/data-kind="refreshAt" style="left:[\d.]+%" data-at="(\d+)"/g)].map(
      (m) => m[1],
    )

  it("marks the held token's refresh point on its bar when the window shows it", () => {
    const html = timelineHtml([{ tab: 't', session: 's', entries }], 't', 40_000, {
      from: 0,
      to: 50_000,
    })
    expect(refreshMarks(html)).toEqual(['43000'])
  })

  it('draws no mark outside the window, nor once the token is gone before its point', () => {
    const ahead = timelineHtml([{ tab: 't', session: 's', entries }], 't', 20_000, {
      from: 0,
      to: 26_000,
    })
    expect(refreshMarks(ahead)).toEqual([])
    const replaced = [...entries, entry({ type: 'signedOut', at: 10_000 })]
    const html = timelineHtml([{ tab: 't', session: 's', entries: replaced }], 't', 40_000, {
      from: 0,
      to: 50_000,
    })
    expect(refreshMarks(html)).toEqual([])
  })
})
