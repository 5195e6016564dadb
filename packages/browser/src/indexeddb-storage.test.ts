// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import type { StoredCredentials } from '@keyway/core'
import { describe, expect, it, vi } from 'vitest'
import { indexedDbStorage } from './indexeddb-storage.js'

const credentials: StoredCredentials = {
  token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln',
  expiresAtWall: 1_900_000_000_000,
  lifetimeMs: 60_000,
  receivedAtWall: 1_899_999_940_000,
  userId: 'u',
}

describe('indexedDbStorage', () => {
  it('round-trips credentials through IndexedDB and deletes them', async () => {
    const dbName = `t-${Math.random()}`
    const storage = indexedDbStorage({ dbName })
    await storage.set('keyway:x', credentials)
    expect(await storage.get('keyway:x')).toEqual(credentials)
    // A second handle on the same database (another tab, a reload) sees the same value.
    expect(await indexedDbStorage({ dbName }).get('keyway:x')).toEqual(credentials)
    await storage.delete('keyway:x')
    expect(await storage.get('keyway:x')).toBeUndefined()
  })

  it('falls back to memory with one warning when IndexedDB is missing', async () => {
    const original = globalThis.indexedDB
    // @ts-expect-error: simulate a browser without IndexedDB
    delete globalThis.indexedDB
    try {
      const warn = vi.fn()
      const storage = indexedDbStorage({ logger: { warn, debug() {} } })
      await storage.set('k', credentials)
      expect(await storage.get('k')).toEqual(credentials)
      await storage.set('k2', credentials)
      expect(warn).toHaveBeenCalledTimes(1)
    } finally {
      globalThis.indexedDB = original
    }
  })

  it('falls back to memory when opening the database throws (private mode, blocked upgrade)', async () => {
    const spy = vi.spyOn(globalThis.indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError')
    })
    try {
      const warn = vi.fn()
      const storage = indexedDbStorage({ dbName: 'broken', logger: { warn, debug() {} } })
      await expect(storage.set('k', credentials)).resolves.toBeUndefined()
      expect(await storage.get('k')).toEqual(credentials)
      expect(warn.mock.calls[0]![0]).toContain('SecurityError')
    } finally {
      spy.mockRestore()
    }
  })
})
