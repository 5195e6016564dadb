import type { Session } from '@keyway/core'
import type { DevtoolsControls } from './devtools-platform.js'
import type { TimelineEntry, TimelineStore } from './timeline-store.js'

/** An entry before the recorder stamps it with its id, tab and session. */
export type TimelineRecord = TimelineEntry extends infer E
  ? E extends TimelineEntry
    ? Omit<E, 'id' | 'tab' | 'session'>
    : never
  : never

export interface RecorderOptions {
  store: TimelineStore
  session: Session
  /** The strip's session name. */
  name: string
  tab: string
  /** Ids unique within this tab: `<tab>:<n>`. */
  nextId: () => string
  controls?: DevtoolsControls
  /** The host's wall clock (not shifted by `expireNow`). */
  wallNow: () => number
}

/** The recorder's handle: `record` adds an entry of this session (a button press). */
export interface Recorder {
  record(entry: TimelineRecord): void
  stop(): void
}

/**
 * Records one session's events into the store. Times are put back on the host's clock when
 * `expireNow` has moved the session's clocks ahead, so every strip shares one time axis.
 */
export function recordSession(options: RecorderOptions): Recorder {
  const { store, session, name, tab, nextId, controls, wallNow } = options
  const record = (entry: TimelineRecord) =>
    store.add({ ...entry, id: nextId(), tab, session: name } as TimelineEntry)
  const held = () => {
    const { expiresAt, userId } = session.getSnapshot()
    if (expiresAt !== null) record({ type: 'held', at: wallNow(), expiresAt, userId })
  }
  let version = session.getSnapshot().tokenVersion
  /** A credentials (or ending) event came since the token last changed. */
  let explained = false
  held()
  const stopInspect = session.inspect((event) => {
    if (event.type === 'credentials' || event.type === 'signedOut' || event.type === 'failure')
      explained = true
    record({ ...event, at: event.at - (controls?.clockOffsetMs ?? 0) })
  })
  const stopSubscribe = session.subscribe(() => {
    const { tokenVersion } = session.getSnapshot()
    if (tokenVersion === version) return
    version = tokenVersion
    if (!explained) held()
    explained = false
  })
  return {
    record,
    stop() {
      stopInspect()
      stopSubscribe()
    },
  }
}
