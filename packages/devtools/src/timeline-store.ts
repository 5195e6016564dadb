import type { SessionEvent } from '@keyway/core'

/** Something the panel did (a fault button), drawn on the timeline beside the session's events. */
export interface ActionEvent {
  type: 'action'
  at: number
  name: string
}

/**
 * A token the session already held when the panel started watching it, or took without an
 * event (from storage, inside another tab's refresh lock).
 */
export interface HeldEvent {
  type: 'held'
  at: number
  expiresAt: number | null
  userId: string | null
}

/** A tab's panel went away (the page closed or reloaded). */
export interface ClosedEvent {
  type: 'closed'
  at: number
}

/** One point on the timeline: which tab, which session, what and when (wall ms). */
export type TimelineEntry = (SessionEvent | ActionEvent | HeldEvent | ClosedEvent) & {
  /** `<tab>:<n>`: the same entry arriving twice (from history and live) is kept once. */
  id: string
  tab: string
  session: string
}

/** The entries of one session in one tab: a strip of the timeline. */
export interface Strip {
  tab: string
  session: string
  entries: TimelineEntry[]
}

export interface TimelineStore {
  /** Adds an entry; one already held (same `id`) is ignored. */
  add(entry: TimelineEntry): void
  /** Every entry, oldest first. */
  entries(): TimelineEntry[]
  /** The entries grouped by tab and session, this tab's strips first. */
  strips(thisTab: string): Strip[]
  /** Called after every change. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
}

/** Keeps the last `limit` entries of every tab, in time order. */
export function createTimelineStore(limit = 500): TimelineStore {
  const list: TimelineEntry[] = []
  const ids = new Set<string>()
  const listeners = new Set<() => void>()
  return {
    add(entry) {
      if (ids.has(entry.id)) return
      ids.add(entry.id)
      // Entries mostly arrive in order; a tab's history arriving late is sorted in.
      let i = list.length
      while (i > 0 && list[i - 1]!.at > entry.at) i--
      list.splice(i, 0, entry)
      if (list.length > limit)
        for (const old of list.splice(0, list.length - limit)) ids.delete(old.id)
      for (const listener of [...listeners]) listener()
    },
    entries: () => list,
    strips(thisTab) {
      const byKey = new Map<string, Strip>()
      for (const entry of list) {
        const key = `${entry.tab}\n${entry.session}`
        const strip = byKey.get(key) ?? { tab: entry.tab, session: entry.session, entries: [] }
        byKey.set(key, strip)
        strip.entries.push(entry)
      }
      const strips = [...byKey.values()]
      return [
        ...strips.filter((s) => s.tab === thisTab),
        ...strips.filter((s) => s.tab !== thisTab),
      ]
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}
