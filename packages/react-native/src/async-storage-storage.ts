import type { CredentialStorage } from '@keyway/core'
import { credentialsFromJson, credentialsToJson, storageError } from './stored-credentials-json.js'

/**
 * The part of `@react-native-async-storage/async-storage` keyway uses: pass its default export.
 * keyway's `keyValueUpgradeStore` takes the same object.
 */
export interface AsyncStorageLike {
  getItem(key: string): Promise<string | null>
  setItem(key: string, value: string): Promise<void>
  removeItem(key: string): Promise<void>
}

/**
 * Credentials in AsyncStorage. AsyncStorage is not encrypted (a file or SQLite database in
 * the app's sandbox, readable on a rooted device and, on Android, possibly in backups), so
 * prefer {@link secureStoreStorage}; this one is for apps without expo-secure-store, or with
 * tokens too large for it, that accept a short-lived JWT at rest unencrypted. It stores the
 * JWT, its expiry and `sub`, never a provider refresh token; a value it cannot parse reads
 * as nothing.
 *
 * @example
 * ```ts
 * import AsyncStorage from '@react-native-async-storage/async-storage'
 *
 * const storage = asyncStorageStorage(AsyncStorage)
 * ```
 */
export function asyncStorageStorage(store: AsyncStorageLike): CredentialStorage {
  return {
    async get(key) {
      let text: string | null
      try {
        text = await store.getItem(key)
      } catch (e) {
        throw storageError('AsyncStorage', 'read', e)
      }
      return credentialsFromJson(text)
    },
    async set(key, value) {
      try {
        await store.setItem(key, credentialsToJson(value))
      } catch (e) {
        throw storageError('AsyncStorage', 'write', e)
      }
    },
    async delete(key) {
      try {
        await store.removeItem(key)
      } catch (e) {
        throw storageError('AsyncStorage', 'delete', e)
      }
    },
  }
}
