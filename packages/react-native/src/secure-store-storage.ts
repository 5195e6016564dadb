import { type CredentialStorage, KeywayError } from '@keyway/core'
import { secureStoreKey } from './secure-store-key.js'
import { credentialsFromJson, credentialsToJson, storageError } from './stored-credentials-json.js'

/**
 * The part of `expo-secure-store` keyway uses: pass the module itself
 * (`import * as SecureStore from 'expo-secure-store'`). `O` is its options type.
 */
export interface SecureStoreLike<O = never> {
  getItemAsync(key: string, options?: O): Promise<string | null>
  setItemAsync(key: string, value: string, options?: O): Promise<void>
  deleteItemAsync(key: string, options?: O): Promise<void>
}

export interface SecureStoreStorageOptions<O> {
  /**
   * Passed to every SecureStore call, e.g. `{ keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK }`
   * so a token can be read while the device is locked. Never `requireAuthentication`: keyway
   * reads in the background and would prompt the user.
   */
  secureStoreOptions?: O
  /**
   * Values longer than this (UTF-8 bytes) are not written: the session keeps them in memory.
   * Default 2048, the limit expo-secure-store documented (and warned about on iOS) up to SDK 54;
   * raise it when every platform you ship on takes more.
   */
  maxValueBytes?: number
}

/** The documented value limit of expo-secure-store before SDK 55 (iOS warned above it). */
export const SECURE_STORE_VALUE_LIMIT = 2048

/**
 * Credentials in `expo-secure-store` (Keychain on iOS, Keystore-encrypted on Android): the
 * short-lived JWT, its expiry and `sub`, never a provider refresh token. Keys are made
 * SecureStore-safe with {@link secureStoreKey}; a value it cannot parse reads as nothing; a
 * value over `maxValueBytes` is not written (any older value under the key is deleted, so a
 * previous user's token cannot come back) and the session keeps it in memory.
 *
 * @example
 * ```ts
 * import * as SecureStore from 'expo-secure-store'
 *
 * const storage = secureStoreStorage(SecureStore, {
 *   secureStoreOptions: { keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK },
 * })
 * ```
 */
export function secureStoreStorage<O>(
  store: SecureStoreLike<O>,
  options: SecureStoreStorageOptions<O> = {},
): CredentialStorage {
  const opts = options.secureStoreOptions
  const limit = options.maxValueBytes ?? SECURE_STORE_VALUE_LIMIT
  return {
    async get(key) {
      let text: string | null
      try {
        text = await store.getItemAsync(secureStoreKey(key), opts)
      } catch (e) {
        throw storageError('SecureStore', 'read', e)
      }
      return credentialsFromJson(text)
    },
    async set(key, value) {
      const text = credentialsToJson(value)
      const bytes = new TextEncoder().encode(text).length
      try {
        if (bytes > limit) {
          await store.deleteItemAsync(secureStoreKey(key), opts)
        } else {
          await store.setItemAsync(secureStoreKey(key), text, opts)
          return
        }
      } catch (e) {
        throw storageError('SecureStore', 'write', e)
      }
      throw new KeywayError(
        'ERR_STORAGE',
        `The credentials take ${bytes} bytes, over SecureStore's ${limit}; kept in memory only`,
        { transient: false },
      )
    },
    async delete(key) {
      try {
        await store.deleteItemAsync(secureStoreKey(key), opts)
      } catch (e) {
        throw storageError('SecureStore', 'delete', e)
      }
    },
  }
}
