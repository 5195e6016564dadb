import type { TimelineEntry, TimelineStore } from './timeline-store.js'

/** What the panels of one origin tell each other. Entries never carry a token. */
type TabMessage =
  | { kind: 'entry'; entry: TimelineEntry }
  /** A panel started: every other panel answers with its own history. */
  | { kind: 'hello' }
  | { kind: 'history'; entries: TimelineEntry[] }

/** The BroadcastChannel the panels of one origin share. */
export const DEVTOOLS_CHANNEL = 'keyway-devtools'

/**
 * Shares this tab's timeline entries with the panels of the other tabs (BroadcastChannel),
 * and adds theirs to `store`, so every panel draws a strip per tab. Returns the stop function.
 * Without BroadcastChannel (an old browser, a worker), the panel shows this tab only.
 */
export function shareAcrossTabs(store: TimelineStore, tab: string): () => void {
  if (typeof BroadcastChannel !== 'function') return () => {}
  const channel = new BroadcastChannel(DEVTOOLS_CHANNEL)
  const post = (message: TabMessage) => channel.postMessage(message)
  const own = () => store.entries().filter((e) => e.tab === tab)
  let sent = new Set(own().map((e) => e.id))
  channel.onmessage = ({ data }: MessageEvent<TabMessage>) => {
    if (data?.kind === 'entry') store.add(data.entry)
    else if (data?.kind === 'history') for (const entry of data.entries) store.add(entry)
    else if (data?.kind === 'hello') post({ kind: 'history', entries: own() })
  }
  const stopStore = store.subscribe(() => {
    // Post this tab's new entries only; the store tells of every change, remote ones too.
    for (const entry of own())
      if (!sent.has(entry.id)) {
        sent.add(entry.id)
        post({ kind: 'entry', entry })
      }
    if (sent.size > 2 * store.entries().length) sent = new Set(own().map((e) => e.id))
  })
  post({ kind: 'hello' })
  post({ kind: 'history', entries: own() })
  return () => {
    stopStore()
    channel.close()
  }
}
