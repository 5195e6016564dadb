import type { DeviceKeyStore } from '@keyway/core/anonymous'
import { type IDBPDatabase, openDB } from 'idb'

const STORE = 'device-key'
const KEY = 'current'
const LOCK = 'keyway:device-key'

/** The part of `navigator.locks` the device key store uses. */
export interface DeviceKeyLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

/** The part of `navigator.storage` the device key store uses. */
export interface StorageManagerLike {
  persist?(): Promise<boolean>
}

export interface IndexedDbDeviceKeyStoreOptions {
  /** IndexedDB database name. Default `keyway-device`. */
  dbName?: string
  /** Web Locks. Default `navigator.locks`; without them, creation is atomic in this tab only. */
  locks?: DeviceKeyLocks
  /** Asked to make the origin's storage persistent. Default `navigator.storage`. */
  storageManager?: StorageManagerLike
}

/**
 * The guest's device key in IndexedDB: the non-extractable P-256 `CryptoKeyPair` itself,
 * stored by structured clone (it stays non-extractable; no key bytes ever reach script).
 * keyway loads, checks and creates it under the Web Lock `keyway:device-key`, so two tabs
 * opened together share one identity, and asks `navigator.storage.persist()` when it is
 * created so the browser does not evict the guest under storage pressure.
 *
 * @example
 * ```ts
 * import { anonymousIdentity } from '@keyway/core/anonymous'
 * import { indexedDbDeviceKeyStore } from '@keyway/browser/anonymous'
 *
 * const identity = anonymousIdentity({
 *   audience: 'https://api.example.com',
 *   keyStore: indexedDbDeviceKeyStore(),
 * })
 * ```
 */
export function indexedDbDeviceKeyStore(
  options: IndexedDbDeviceKeyStoreOptions = {},
): DeviceKeyStore {
  const nav = globalThis.navigator as
    | { locks?: DeviceKeyLocks; storage?: StorageManagerLike }
    | undefined
  const locks = options.locks ?? nav?.locks
  const storageManager = options.storageManager ?? nav?.storage
  let connection: Promise<IDBPDatabase> | undefined

  // One connection per store, closed when another tab upgrades the schema.
  const db = () => {
    connection ??= openDB(options.dbName ?? 'keyway-device', 1, {
      upgrade(database) {
        database.createObjectStore(STORE)
      },
      blocking() {
        void connection?.then((open) => open.close())
        connection = undefined
      },
    }).catch((error: unknown) => {
      connection = undefined
      throw error
    })
    return connection
  }

  return {
    async load() {
      return (await (await db()).get(STORE, KEY)) as CryptoKeyPair | undefined
    },
    async save(pair) {
      await (await db()).put(STORE, pair, KEY)
      // Best effort: the guest's identity (and its unsynced rows) should outlive storage pressure.
      await storageManager?.persist?.().catch(() => false)
    },
    async clear() {
      await (await db()).delete(STORE, KEY)
    },
    ...(locks ? { exclusive: <T>(task: () => Promise<T>) => locks.request(LOCK, task) } : {}),
  }
}
