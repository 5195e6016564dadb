import type { CredentialStorage, Logger, StoredCredentials } from '@keyway/core'
import { type IDBPDatabase, openDB } from 'idb'

const STORE = 'credentials'

/** Credentials in memory: the fallback when IndexedDB is missing or broken, and `persist: 'memory'`. */
export function memoryStorage(): CredentialStorage {
  const data = new Map<string, StoredCredentials>()
  return {
    get: async (key) => data.get(key),
    set: async (key, value) => {
      data.set(key, value)
    },
    delete: async (key) => {
      data.delete(key)
    },
  }
}

/**
 * Credentials in IndexedDB (through `idb`): the short-lived JWT, its expiry and `sub`, never
 * a provider refresh token. When IndexedDB is unavailable (private mode, quota, a blocked
 * upgrade, a missing API) it falls back to memory with one warning and never throws.
 *
 * @example
 * ```ts
 * const storage = indexedDbStorage({ logger: console })
 * ```
 */
export function indexedDbStorage(
  options: { dbName?: string; logger?: Logger } = {},
): CredentialStorage {
  const fallback = memoryStorage()
  let failed = false
  let db: Promise<IDBPDatabase> | undefined

  function fail(error: unknown): CredentialStorage {
    if (!failed) {
      failed = true
      options.logger?.warn(
        `IndexedDB unavailable (${(error as Error)?.name}); credentials kept in memory`,
      )
    }
    return fallback
  }

  function open(): Promise<IDBPDatabase> {
    // Version 1 is the only schema: the upgrade runs on a fresh database only.
    db ??= openDB(options.dbName ?? 'keyway', 1, {
      upgrade: (database) => database.createObjectStore(STORE),
    })
    return db
  }

  async function use<T>(
    task: (database: IDBPDatabase) => Promise<T>,
    orElse: (s: CredentialStorage) => Promise<T>,
  ): Promise<T> {
    if (failed) return orElse(fallback)
    try {
      if (typeof indexedDB === 'undefined')
        throw new DOMException('indexedDB is not defined', 'NotSupportedError')
      return await task(await open())
    } catch (error) {
      return orElse(fail(error))
    }
  }

  return {
    get: (key) =>
      use(
        (d) => d.get(STORE, key) as Promise<StoredCredentials | undefined>,
        (s) => s.get(key),
      ),
    set: (key, value) =>
      use(
        async (d) => {
          await d.put(STORE, value, key)
        },
        (s) => s.set(key, value),
      ),
    delete: (key) =>
      use(
        (d) => d.delete(STORE, key),
        (s) => s.delete(key),
      ),
  }
}
