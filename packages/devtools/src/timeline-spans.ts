import type { FetchReason } from '@keyway/core'
import type { TimelineEntry } from './timeline-store.js'

/** What a strip draws: bars (`start`–`end`) and marks (`at`), in wall ms. */
export type TimelineItem =
  /** A token's life: from its arrival to its expiry, or to whatever replaced or ended it. */
  | {
      kind: 'token'
      start: number
      end: number
      from: 'connector' | 'storage' | 'tab' | 'held'
      reason?: FetchReason
      userId: string | null
      /** Where the session set its refresh (the last 'scheduled' event while it was held). */
      refreshAt?: number
    }
  | { kind: 'fetch'; at: number; reason: FetchReason }
  | { kind: 'rejection'; at: number; current: boolean }
  | { kind: 'failure'; at: number; code: string; transient: boolean }
  /**
   * From a failure to the next connector call: the backoff the session waited; while it still
   * waits, to the `retryAt` its failure event gave.
   */
  | { kind: 'wait'; start: number; end: number }
  | { kind: 'offline'; start: number; end: number }
  | { kind: 'background'; start: number; end: number }
  | { kind: 'signedOut'; at: number }
  | { kind: 'action'; at: number; name: string }
  | { kind: 'closed'; at: number }

/**
 * Turns one strip's entries (oldest first) into bars and marks. Open spans (a token still
 * held, an offline period not yet over) end at their expiry or at `now`.
 */
export function layoutStrip(entries: readonly TimelineEntry[], now: number): TimelineItem[] {
  const items: TimelineItem[] = []
  let token: Extract<TimelineItem, { kind: 'token' }> | undefined
  /** Where each open span started: a backoff wait, offline, background. */
  const open: Partial<Record<'wait' | 'offline' | 'background', number>> = {}
  /** When the session said it may call again after the last failure (wall ms). */
  let retryAt: number | null = null
  const close = (kind: 'wait' | 'offline' | 'background', end: number) => {
    const start = open[kind]
    if (start !== undefined) items.push({ kind, start, end })
    open[kind] = undefined
  }
  const endToken = (at: number) => {
    if (token && token.end > at) token.end = at
    token = undefined
  }
  for (const e of entries) {
    switch (e.type) {
      case 'credentials':
      case 'held':
        endToken(e.at)
        token = {
          kind: 'token',
          start: e.at,
          end: e.expiresAt ?? Number.POSITIVE_INFINITY,
          from: e.type === 'held' ? 'held' : e.from,
          ...(e.type === 'credentials' && e.reason ? { reason: e.reason } : {}),
          userId: e.userId,
        }
        items.push(token)
        break
      case 'fetch':
        close('wait', e.at)
        items.push({ kind: 'fetch', at: e.at, reason: e.reason })
        break
      case 'failure':
        items.push({ kind: 'failure', at: e.at, code: e.code, transient: e.transient })
        if (e.transient) {
          open.wait = e.at
          retryAt = e.retryAt
        } else endToken(e.at)
        break
      case 'rejection':
        items.push({ kind: 'rejection', at: e.at, current: e.current })
        break
      case 'scheduled':
        if (token) token.refreshAt = e.refreshAt
        break
      case 'signedOut':
        endToken(e.at)
        open.wait = undefined
        items.push({ kind: 'signedOut', at: e.at })
        break
      case 'host':
        if (e.signal === 'offline' || e.signal === 'background') open[e.signal] ??= e.at
        else {
          // `online` ends an offline span; `online` and `wake` both end a background one.
          if (e.signal === 'online') close('offline', e.at)
          close('background', e.at)
        }
        break
      case 'action':
        items.push({ kind: 'action', at: e.at, name: e.name })
        break
      case 'closed':
        endToken(e.at)
        items.push({ kind: 'closed', at: e.at })
        now = Math.min(now, e.at)
    }
  }
  // A wait still open ends when the session said it would call again, if it said.
  close('wait', Math.max(now, retryAt ?? now))
  for (const kind of ['offline', 'background'] as const) close(kind, now)
  return items
}
