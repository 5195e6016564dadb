import { KeywayError } from '@keyway/core'
import {
  base64UrlToBytes,
  bytesToBase64Url,
  type DeviceKey,
  type DeviceKeys,
} from '@keyway/core/anonymous'
import { p256 } from '@noble/curves/nist.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { secureStoreKey } from './secure-store-key.js'
import type { SecureStoreLike } from './secure-store-storage.js'

export interface SecureStoreDeviceKeysOptions<O> {
  /** SecureStore key of the seed. Default `keyway.device-seed`. */
  key?: string
  /** Passed to every SecureStore call (see `secureStoreStorage`). */
  secureStoreOptions?: O
  /**
   * Cryptographically secure random bytes. Default `crypto.getRandomValues`, which React
   * Native gets from `react-native-get-random-values` or `expo-crypto`'s polyfill.
   */
  randomBytes?: (length: number) => Uint8Array
}

const SEED_BYTES = 32

/** One queue per seed key for the whole JS realm: two identities never create two seeds. */
const queues = new Map<string, Promise<unknown>>()

function defaultRandomBytes(length: number): Uint8Array {
  const crypto = globalThis.crypto
  if (typeof crypto?.getRandomValues !== 'function')
    throw new KeywayError(
      'ERR_CONFIG',
      'crypto.getRandomValues is missing: import "react-native-get-random-values" first, or pass randomBytes',
      { transient: false },
    )
  return crypto.getRandomValues(new Uint8Array(length))
}

/**
 * A SecureStore call, its failure made a transient `ERR_STORAGE`: a keychain that cannot be
 * read right now (a locked device, a busy Keystore) is retried with backoff, and never read
 * as "no guest", which would replace the guest and strand its data.
 */
async function secureStoreCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (cause) {
    throw new KeywayError('ERR_STORAGE', `SecureStore could not ${action} the device seed`, {
      transient: true,
      cause,
    })
  }
}

function deviceKeyFromSeed(seed: Uint8Array): DeviceKey {
  const point = p256.getPublicKey(seed, false) // 0x04 ‖ x ‖ y
  return {
    publicJwk: {
      kty: 'EC',
      crv: 'P-256',
      x: bytesToBase64Url(point.subarray(1, 33)),
      y: bytesToBase64Url(point.subarray(33, 65)),
    },
    // ES256 (RFC 7518 §3.4): ECDSA over SHA-256(data), r ‖ s as 64 bytes. Low-S, which
    // every verifier accepts; RFC 6979 nonces, so signing needs no randomness.
    async sign(data) {
      return p256.sign(data, seed, { prehash: true, lowS: true, format: 'compact' })
    },
  }
}

/**
 * The guest's device key for React Native: a 32-byte P-256 seed in `expo-secure-store`,
 * signed with `@noble/curves`, with `@noble`'s SHA-256 for the guest id, so nothing needs
 * `crypto.subtle`. A stored seed that is not a valid key reads as no key (a new guest is
 * made); a SecureStore failure is a transient `ERR_STORAGE` (retried, the guest kept).
 * Creation runs in one queue per seed key for the whole app.
 *
 * @example
 * ```ts
 * import * as SecureStore from 'expo-secure-store'
 * import { anonymousIdentity } from '@keyway/core/anonymous'
 *
 * const identity = anonymousIdentity({
 *   audience: 'https://api.example.com',
 *   deviceKeys: secureStoreDeviceKeys(SecureStore),
 * })
 * ```
 */
export function secureStoreDeviceKeys<O>(
  store: SecureStoreLike<O>,
  options: SecureStoreDeviceKeysOptions<O> = {},
): DeviceKeys {
  const key = secureStoreKey(options.key ?? 'keyway.device-seed')
  const opts = options.secureStoreOptions
  const randomBytes = options.randomBytes ?? defaultRandomBytes
  // Deriving the public key costs a scalar multiplication: do it once per seed.
  let cached: { text: string; key: DeviceKey } | undefined

  const fromText = (text: string): DeviceKey | undefined => {
    if (cached?.text === text) return cached.key
    const seed = base64UrlToBytes(text)
    if (!seed || seed.length !== SEED_BYTES || !p256.utils.isValidSecretKey(seed)) return undefined
    cached = { text, key: deviceKeyFromSeed(seed) }
    return cached.key
  }

  return {
    async load() {
      const text = await secureStoreCall('read', () => store.getItemAsync(key, opts))
      return text === null ? undefined : fromText(text)
    },
    async create() {
      // A seed at or above the group order (odds about 2^-32) is not a key: draw again.
      for (let attempt = 0; attempt < 4; attempt++) {
        const seed = randomBytes(SEED_BYTES)
        if (seed.length !== SEED_BYTES || !p256.utils.isValidSecretKey(seed)) continue
        const text = bytesToBase64Url(seed)
        await secureStoreCall('write', () => store.setItemAsync(key, text, opts))
        return fromText(text)!
      }
      throw new KeywayError('ERR_CONFIG', 'randomBytes does not give usable P-256 seeds', {
        transient: false,
      })
    },
    async clear() {
      cached = undefined
      await secureStoreCall('delete', () => store.deleteItemAsync(key, opts))
    },
    exclusive<T>(task: () => Promise<T>): Promise<T> {
      const run = (queues.get(key) ?? Promise.resolve()).then(task, task)
      queues.set(
        key,
        run.catch(() => {}),
      )
      return run
    },
    async sha256(data) {
      return sha256(data)
    },
    randomBytes,
  }
}
