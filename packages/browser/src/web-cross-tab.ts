import {
  type CrossTab,
  type CrossTabMessage,
  type LockResult,
  type Logger,
  toStoredCredentials,
} from '@keyway/core'

/** The part of `navigator.locks` keyway uses. */
export interface LockManagerLike {
  request<T>(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => Promise<T>,
  ): Promise<T>
}

/** A `BroadcastChannel` constructor (the page's, or a stand-in in tests). */
export type ChannelConstructor = new (name: string) => BroadcastChannel

export interface WebCrossTabOptions {
  /** Web Locks. Default `navigator.locks`; `null`: none (each tab refreshes for itself). */
  locks?: LockManagerLike | null
  /** Default the page's `BroadcastChannel`; `null`: none (tabs learn nothing from each other). */
  BroadcastChannel?: ChannelConstructor | null
  /** Told once when the browser refuses Web Locks (sandboxed or opaque-origin frames). */
  logger?: Logger
}

/**
 * Only the three messages a session sends get through: another script may use the same
 * channel name, and a tab running another keyway version may send something else.
 */
export function parseCrossTabMessage(data: unknown): CrossTabMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const { type, credentials } = data as { type?: unknown; credentials?: unknown }
  if (type === 'signedOut') return { type }
  const stored = type === 'credentials' ? toStoredCredentials(credentials) : undefined
  return stored && { type: 'credentials', credentials: stored }
}

/**
 * Cross-tab coordination for browsers: a Web Lock per key so one tab refreshes at a time
 * (the wait is capped; the session falls back to a still-valid token), and a
 * BroadcastChannel that hands the result to every other tab (never back to the sender).
 * The channel is closed on `pagehide` and opened again on `pageshow`, so a page kept in the
 * back/forward cache holds nothing open. Without Web Locks or BroadcastChannel it degrades
 * to tab-by-tab behaviour instead of failing.
 *
 * @example
 * ```ts
 * import { createSession, defaultPlatform } from '@keyway/core'
 * import { webCrossTab } from '@keyway/browser'
 *
 * const session = createSession({ connector, platform: defaultPlatform({ crossTab: webCrossTab() }) })
 * ```
 */
export function webCrossTab(options: WebCrossTabOptions = {}): CrossTab {
  const handlers = new Map<string, Set<(message: CrossTabMessage) => void>>()
  const open = new Map<string, BroadcastChannel>()
  let lockRefusalWarned = false

  // Looked up at call time, not at creation: nothing is touched until a session uses it.
  const lockManager = (): LockManagerLike | undefined =>
    options.locks === undefined
      ? (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks
      : (options.locks ?? undefined)
  const Channel = (): ChannelConstructor | null | undefined =>
    options.BroadcastChannel === undefined
      ? (globalThis as { BroadcastChannel?: ChannelConstructor }).BroadcastChannel
      : options.BroadcastChannel

  const channelFor = (key: string): BroadcastChannel | undefined => {
    const existing = open.get(key)
    if (existing) return existing
    const Ctor = Channel()
    if (!Ctor) return undefined
    const channel = new Ctor(key)
    channel.onmessage = (event: MessageEvent) => {
      const message = parseCrossTabMessage(event.data)
      if (!message) return
      for (const handler of [...(handlers.get(key) ?? [])]) handler(message)
    }
    open.set(key, channel)
    return channel
  }

  const closeAll = () => {
    for (const channel of open.values()) channel.close()
    open.clear()
  }

  // Page Lifecycle: leaving for the back/forward cache or unloading closes the channels;
  // coming back from the cache opens them again for the keys still listened to.
  const onPageHide = () => closeAll()
  const onPageShow = () => {
    for (const key of handlers.keys()) channelFor(key)
  }
  const page = globalThis as unknown as Partial<
    Pick<Window, 'addEventListener' | 'removeEventListener'>
  >
  const watchPage = (on: boolean) => {
    if (typeof page.addEventListener !== 'function') return
    const method = on ? page.addEventListener : page.removeEventListener
    method?.call(globalThis, 'pagehide', onPageHide)
    method?.call(globalThis, 'pageshow', onPageShow)
  }

  async function withLock<T>(
    key: string,
    task: () => Promise<T>,
    { waitMs }: { waitMs: number },
  ): Promise<LockResult<T>> {
    const locks = lockManager()
    if (!locks) return { acquired: true, value: await task() }
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), waitMs)
    let entered = false
    try {
      const value = await locks.request(`${key}:refresh`, { signal: controller.signal }, () => {
        entered = true
        clearTimeout(timer)
        return task()
      })
      return { acquired: true, value }
    } catch (error) {
      if (entered) throw error
      if (controller.signal.aborted) return { acquired: false }
      // The browser refused the lock itself (e.g. SecurityError in a sandboxed frame):
      // refreshing tab by tab beats not refreshing at all.
      if (!lockRefusalWarned) {
        lockRefusalWarned = true
        options.logger?.warn(`Web Locks refused (${(error as Error)?.name}); tabs refresh alone`)
      }
      return { acquired: true, value: await task() }
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    withLock,
    post(key, message) {
      channelFor(key)?.postMessage(message)
    },
    listen(key, onMessage) {
      const handler = (message: CrossTabMessage) => onMessage(message)
      let set = handlers.get(key)
      if (!set) {
        set = new Set()
        handlers.set(key, set)
        if (handlers.size === 1) watchPage(true)
      }
      set.add(handler)
      channelFor(key)
      return () => {
        const current = handlers.get(key)
        if (!current?.delete(handler) || current.size > 0) return
        handlers.delete(key)
        open.get(key)?.close()
        open.delete(key)
        if (handlers.size === 0) watchPage(false)
      }
    },
  }
}
