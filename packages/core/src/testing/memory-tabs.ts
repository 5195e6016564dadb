import type {
  CredentialStorage,
  CrossTab,
  CrossTabMessage,
  StoredCredentials,
} from '../platform.js'

/**
 * Credential storage in memory; share one instance between test sessions to stand for
 * one origin's IndexedDB.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage()
 * const a = createSession({ connector, platform: { ...t.platform, storage } })
 * ```
 */
export function createMemoryStorage(): CredentialStorage & {
  data: Map<string, StoredCredentials>
} {
  const data = new Map<string, StoredCredentials>()
  return {
    data,
    async get(key) {
      const v = data.get(key)
      return v && { ...v }
    },
    async set(key, value) {
      data.set(key, { ...value })
    },
    async delete(key) {
      data.delete(key)
    },
  }
}

/**
 * An in-process stand-in for Web Locks + BroadcastChannel: every session given a tab from
 * the same hub behaves like a tab of one origin. Messages are delivered asynchronously,
 * never to the sender, and the lock is FIFO.
 *
 * @example
 * ```ts
 * const hub = createMemoryCrossTab()
 * const tab1 = createSession({ connector, platform: { ...t.platform, crossTab: hub.tab() } })
 * ```
 */
export function createMemoryCrossTab(): { tab(): CrossTab; readonly lockHeld: boolean } {
  const channels = new Map<string, Set<{ from: object; deliver: (m: CrossTabMessage) => void }>>()
  let tail: Promise<void> = Promise.resolve()
  let held = false

  function tab(): CrossTab {
    const self = {}
    return {
      async withLock(_key, task) {
        const previous = tail
        let release!: () => void
        tail = new Promise<void>((r) => {
          release = r
        })
        await previous
        held = true
        try {
          return { acquired: true as const, value: await task() }
        } finally {
          held = false
          release()
        }
      },
      post(key, message) {
        for (const l of channels.get(key) ?? [])
          if (l.from !== self) queueMicrotask(() => l.deliver(structuredClone(message)))
      },
      listen(key, onMessage) {
        const entry = { from: self, deliver: onMessage }
        const set = channels.get(key) ?? new Set()
        channels.set(key, set)
        set.add(entry)
        return () => set.delete(entry)
      },
    }
  }
  return {
    tab,
    get lockHeld() {
      return held
    },
  }
}
