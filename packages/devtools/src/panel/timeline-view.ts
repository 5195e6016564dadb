import { layoutStrip, type TimelineItem } from '../timeline-spans.js'
import type { Strip } from '../timeline-store.js'
import { clock, esc } from './html.js'
import { REASON_COLOURS } from './styles.js'

/** The span of wall time the timeline draws. */
export interface TimeWindow {
  from: number
  to: number
}

/**
 * The time the timeline shows: the past since the first entry (at least 20 s, at most three
 * quarters of `windowMs`), and a third of that ahead, where the held tokens expire.
 */
export function timeWindow(now: number, windowMs: number, firstAt = now): TimeWindow {
  const past = Math.min(Math.max(now - firstAt, 20_000), windowMs * 0.75)
  return { from: now - past, to: now + past / 3 }
}

/** The HTML of every strip: one per tab and session, this tab's first. */
export function timelineHtml(strips: Strip[], thisTab: string, now: number, w: TimeWindow): string {
  const x = (t: number) => ((Math.min(Math.max(t, w.from), w.to) - w.from) / (w.to - w.from)) * 100
  // `data-at` / `data-start`: exact times, for tests and for anyone reading the DOM.
  const at = (t: number) => `style="left:${x(t).toFixed(2)}%" data-at="${Math.round(t)}"`
  const span = (start: number, end: number) =>
    `style="left:${x(start).toFixed(2)}%;width:${(x(end) - x(start)).toFixed(2)}%" data-start="${Math.round(start)}"`
  const shown = (item: TimelineItem) =>
    'at' in item ? item.at >= w.from && item.at <= w.to : item.end >= w.from && item.start <= w.to
  // The refresh point on a token's bar, while the token is still held there.
  const refreshMark = ({ refreshAt, end }: Extract<TimelineItem, { kind: 'token' }>) =>
    refreshAt !== undefined && refreshAt < end && refreshAt >= w.from && refreshAt <= w.to
      ? `<i class="refresh-at" data-kind="refreshAt" ${at(refreshAt)} title="refresh set for ${clock(refreshAt)}"></i>`
      : ''
  const draw = (item: TimelineItem): string => {
    switch (item.kind) {
      case 'token':
        return `${refreshMark(item)}<i class="token from-${item.from}${item.userId?.startsWith('anon_') ? ' guest' : ''}" data-kind="token" data-from="${item.from}"${item.reason ? ` data-reason="${item.reason}"` : ''} ${span(item.start, item.end)} title="token from ${item.from}${item.reason ? ` (${item.reason})` : ''} at ${clock(item.start)}, user ${esc(item.userId ?? '—')}"></i>`
      case 'fetch':
        return `<i class="tick r-${item.reason}" data-kind="fetch" data-reason="${item.reason}" ${at(item.at)} title="fetch (${item.reason}) at ${clock(item.at)}"></i>`
      case 'rejection':
        return `<i class="mark" data-kind="rejection" ${at(item.at)} title="401 at ${clock(item.at)}${item.current ? '' : ' (an old token)'}">401</i>`
      case 'failure':
        return `<i class="mark${item.code === 'ERR_ABORTED' ? ' aborted' : ''}" data-kind="failure" data-code="${esc(item.code)}" ${at(item.at)} title="${item.transient ? 'transient' : 'final'} failure at ${clock(item.at)}">${esc(item.code)}</i>`
      case 'signedOut':
        return `<i class="mark" data-kind="signedOut" ${at(item.at)}>signed out</i>`
      case 'closed':
        return `<i class="mark" data-kind="closed" ${at(item.at)}>closed</i>`
      case 'action':
        return `<i class="action" data-kind="action" data-name="${esc(item.name)}" ${at(item.at)}>▲${esc(item.name)}</i>`
      default:
        return `<i class="span ${item.kind}" data-kind="${item.kind}" ${span(item.start, item.end)} title="${item.kind} ${clock(item.start)}–${clock(item.end)}"></i>`
    }
  }
  const rows = strips.map((strip) => {
    const mine = strip.tab === thisTab
    const items = layoutStrip(strip.entries, now).filter(shown).map(draw).join('')
    return `<div class="strip" data-tab="${esc(strip.tab)}" data-session="${esc(strip.session)}"${mine ? ' data-this-tab' : ''}><span class="label" title="tab ${esc(strip.tab)}">${mine ? 'this tab' : `tab ${esc(strip.tab)}`} · ${esc(strip.session)}</span><div class="track">${items}<i class="now" ${at(now)}></i></div></div>`
  })
  return rows.join('') || '<p class="muted">No events yet.</p>'
}

/** The legend: what each colour means. */
export function legendHtml(): string {
  const reasons = Object.entries(REASON_COLOURS)
    .map(([reason, colour]) => `<span><i style="background:${colour}"></i>fetch: ${reason}</span>`)
    .join('')
  return `${reasons}<span><i class="token"></i>token (fetched)</span><span><i class="from-tab"></i>token from another tab</span><span><i class="token guest"></i>guest token</span><span><i class="refresh-at"></i>refresh set for</span><span><i class="wait"></i>backoff</span><span><i class="offline"></i>offline</span><span><i class="background"></i>background</span>`
}
