// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { anonymousIdentity } from '@keyway/core/anonymous'
import { describe, expect, it } from 'vitest'
import { indexedDbDeviceKeyStore } from './device-key-store.js'

/** Web Locks as the spec has them for one lock name: exclusive, first come first served. Records who held it. */
function recordingLocks() {
  const held: string[] = []
  let tail: Promise<unknown> = Promise.resolve()
  return {
    held,
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const run = tail.then(async () => {
        held.push(name)
        return callback()
      })
      tail = run.catch(() => {})
      return run
    },
  }
}

function freshDb() {
  return `keyway-device-${Math.random().toString(36).slice(2)}`
}

describe('indexedDbDeviceKeyStore', () => {
  it('stores the CryptoKeyPair itself: a reload finds the same, still non-extractable, key', async () => {
    const dbName = freshDb()
    const locks = recordingLocks()
    const first = anonymousIdentity({
      audience: 'api',
      keyStore: indexedDbDeviceKeyStore({ dbName, locks }),
    })
    const id = await first.getId()
    const reloaded = indexedDbDeviceKeyStore({ dbName, locks })
    const pair = await reloaded.load()
    expect(pair?.privateKey).toBeInstanceOf(CryptoKey)
    expect(pair?.privateKey.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('jwk', pair!.privateKey)).rejects.toThrow()
    expect(await anonymousIdentity({ audience: 'api', keyStore: reloaded }).currentId()).toBe(id)
  })

  it('two tabs starting together create one identity, under the keyway:device-key lock', async () => {
    const dbName = freshDb()
    const locks = recordingLocks()
    // Each tab has its own store object and its own IndexedDB connection.
    const tabs = Array.from({ length: 4 }, () =>
      anonymousIdentity({ audience: 'api', keyStore: indexedDbDeviceKeyStore({ dbName, locks }) }),
    )
    const ids = await Promise.all(tabs.map((tab) => tab.getId()))
    expect(new Set(ids).size).toBe(1)
    expect(locks.held.length).toBeGreaterThanOrEqual(1)
    expect(new Set(locks.held)).toEqual(new Set(['keyway:device-key']))
  })

  it('without the lock the same race would make several identities (why the lock is there)', async () => {
    const dbName = freshDb()
    // Stores stripped of their cross-tab lock: each tab's own queue serializes only itself,
    // so tabs that all found no key each create one.
    const tabs = Array.from({ length: 3 }, () => {
      const store = indexedDbDeviceKeyStore({ dbName, locks: recordingLocks() })
      delete store.exclusive
      return anonymousIdentity({ audience: 'api', keyStore: store })
    })
    const ids = await Promise.all(tabs.map((tab) => tab.getId()))
    expect(new Set(ids).size).toBeGreaterThan(1)
  })

  it('asks for persistent storage once, when the key is created', async () => {
    const dbName = freshDb()
    let asked = 0
    const storageManager = {
      persist: async () => {
        asked++
        return true
      },
    }
    const keyStore = indexedDbDeviceKeyStore({ dbName, locks: recordingLocks(), storageManager })
    const identity = anonymousIdentity({ audience: 'api', keyStore })
    await identity.getId()
    await identity.fetchCredentials()
    await identity.getId()
    expect(asked).toBe(1)
  })

  it('a refused persist() does not fail the guest', async () => {
    const storageManager = {
      persist: () => Promise.reject(new DOMException('no', 'NotAllowedError')),
    }
    const identity = anonymousIdentity({
      audience: 'api',
      keyStore: indexedDbDeviceKeyStore({ dbName: freshDb(), storageManager }),
    })
    expect(await identity.getId()).toMatch(/^anon_/)
  })

  it('clear forgets the key in every tab: the next guest is new', async () => {
    const dbName = freshDb()
    const locks = recordingLocks()
    const tabA = anonymousIdentity({
      audience: 'api',
      keyStore: indexedDbDeviceKeyStore({ dbName, locks }),
    })
    const tabB = anonymousIdentity({
      audience: 'api',
      keyStore: indexedDbDeviceKeyStore({ dbName, locks }),
    })
    const before = await tabA.getId()
    expect(await tabB.currentId()).toBe(before)
    await tabA.reset()
    // Tab B holds no stale copy: it reads IndexedDB, so it sees the guest is gone.
    expect(await tabB.currentId()).toBeUndefined()
    const after = await tabB.getId()
    expect(after).not.toBe(before)
    expect(await tabA.currentId()).toBe(after)
  })
})
