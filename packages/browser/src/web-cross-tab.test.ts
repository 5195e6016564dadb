// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { webCrossTab } from './web-cross-tab.js'

describe('webCrossTab without Web Locks or BroadcastChannel', () => {
  it('runs the task directly and makes post a no-op, so the session works tab by tab', async () => {
    const locks = (navigator as { locks?: unknown }).locks
    const channel = globalThis.BroadcastChannel
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
    // @ts-expect-error: a browser without BroadcastChannel
    delete globalThis.BroadcastChannel
    try {
      const tabs = webCrossTab()
      expect(await tabs.withLock('k', async () => 42, { waitMs: 10 })).toEqual({
        acquired: true,
        value: 42,
      })
      expect(() => tabs.post('k', { type: 'signedOut' })).not.toThrow()
      const stop = tabs.listen('k', () => {})
      stop()
    } finally {
      Object.defineProperty(navigator, 'locks', { value: locks, configurable: true })
      globalThis.BroadcastChannel = channel
    }
  })

  it('gives up on a lock held too long and says so, without running the task', async () => {
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    const fakeLocks = {
      async request(_name: string, options: { signal?: AbortSignal }, cb: () => Promise<unknown>) {
        await new Promise<void>((resolve, reject) => {
          options.signal?.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          )
          void held.then(resolve)
        })
        return cb()
      },
    }
    Object.defineProperty(navigator, 'locks', { value: fakeLocks, configurable: true })
    try {
      let ran = false
      const result = await webCrossTab().withLock(
        'k',
        async () => {
          ran = true
        },
        { waitMs: 20 },
      )
      expect(result).toEqual({ acquired: false })
      expect(ran).toBe(false)
    } finally {
      release()
      Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
    }
  })
})
