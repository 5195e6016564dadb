// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import type { PlatformEvent } from '@keyway/core'
import { describe, expect, it } from 'vitest'
import { browserPlatform } from './browser-platform.js'

describe('browserPlatform', () => {
  it('turns focus, visibility, resume, online and offline into session signals, and unsubscribes', () => {
    const platform = browserPlatform({ persist: 'memory', crossTab: false })
    const events: PlatformEvent[] = []
    const stop = platform.subscribe((e) => events.push(e))
    window.dispatchEvent(new Event('focus'))
    window.dispatchEvent(new Event('online'))
    window.dispatchEvent(new Event('offline'))
    document.dispatchEvent(new Event('visibilitychange'))
    document.dispatchEvent(new Event('resume'))
    expect(events).toEqual(['wake', 'online', 'offline', 'wake', 'wake'])
    stop()
    window.dispatchEvent(new Event('focus'))
    document.dispatchEvent(new Event('resume'))
    expect(events).toHaveLength(5)
  })

  it('touches nothing at import or creation: listeners exist only while subscribed', () => {
    const platform = browserPlatform()
    expect(platform.storage).toBeDefined()
    expect(platform.crossTab).toBeDefined()
    expect(platform.isOnline()).toBe(true)
  })
})
