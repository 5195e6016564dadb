/**
 * A device's signing key as the anonymous identity uses it: the public JWK and ES256
 * signatures. The private half never leaves the key's home (a non-extractable WebCrypto key
 * in browsers, secure storage on React Native).
 */
export interface DeviceKey {
  /** The public key as a JWK (`kty: 'EC'`, `crv: 'P-256'`, `x`, `y`). */
  readonly publicJwk: JsonWebKey
  /** Signs `data` with ES256 and returns the JWS signature (r ‖ s, 64 bytes). */
  sign(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array>
}

/**
 * Where a WebCrypto device key pair lives between visits. A store only loads, saves and
 * clears; keyway does the load-check-create, inside `exclusive` when the store has it.
 *
 * @example
 * ```ts
 * const keyStore: DeviceKeyStore = {
 *   load: () => db.get('device-key'),
 *   save: (pair) => db.put('device-key', pair),
 *   clear: () => db.delete('device-key'),
 *   exclusive: (task) => navigator.locks.request('keyway:device-key', task),
 * }
 * ```
 */
export interface DeviceKeyStore {
  /** The saved key pair, or `undefined` when this device has none yet. */
  load(): Promise<CryptoKeyPair | undefined>
  /** Saves the pair as it is (IndexedDB keeps a `CryptoKey` by structured clone, still non-extractable). */
  save(pair: CryptoKeyPair): Promise<void>
  /** Forgets the pair: the next guest on this device is a new identity. */
  clear(): Promise<void>
  /**
   * Runs `task` while no other tab or process of this app runs one (a Web Lock). keyway
   * loads, checks and creates the key inside it, so two tabs opened together never make two
   * identities. Without it, creation is serialized in this JavaScript realm only.
   */
  exclusive?<T>(task: () => Promise<T>): Promise<T>
}

/**
 * The runtime-neutral layer under the anonymous identity, for hosts without WebCrypto
 * P-256 (React Native: a seed in secure storage, signed with `@noble/curves`). Browsers and
 * Node use {@link DeviceKeyStore}, which keyway turns into this.
 *
 * @example
 * ```ts
 * const identity = anonymousIdentity({ audience, deviceKeys: secureStoreDeviceKeys() })
 * ```
 */
export interface DeviceKeys {
  /** The current key, or `undefined` when there is none. Never creates one. */
  load(): Promise<DeviceKey | undefined>
  /** Makes, persists and returns a new key (keyway calls it only after `load` found none). */
  create(): Promise<DeviceKey>
  /** Forgets the current key. */
  clear(): Promise<void>
  /** See {@link DeviceKeyStore.exclusive}. */
  exclusive?<T>(task: () => Promise<T>): Promise<T>
  /**
   * SHA-256 for the guest id (JWK thumbprint) and a link proof's `pth`. Default
   * `crypto.subtle.digest`; a key source for a host without `crypto.subtle` (React Native)
   * brings its own, so nothing on the anonymous path needs WebCrypto.
   */
  sha256?(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array>
  /** Random bytes for a token's `jti`. Default `crypto.getRandomValues`. */
  randomBytes?(length: number): Uint8Array
}

/**
 * Generates a P-256 key pair whose private key cannot be exported, not even by script on
 * the page: a stolen page context can sign while it runs, but cannot carry the key away.
 *
 * @example
 * ```ts
 * const pair = await generateDeviceKeyPair()
 * pair.privateKey.extractable // false
 * ```
 */
export async function generateDeviceKeyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
}

/**
 * A WebCrypto key pair as a {@link DeviceKey}. The public half is always exportable, the
 * private half is used in place.
 *
 * @example
 * ```ts
 * const key = await webCryptoDeviceKey(await generateDeviceKeyPair())
 * key.publicJwk // { kty: 'EC', crv: 'P-256', x, y }
 * ```
 */
export async function webCryptoDeviceKey(pair: CryptoKeyPair): Promise<DeviceKey> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey)
  return {
    publicJwk: { kty, crv, x, y },
    async sign(data) {
      const signature = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        data,
      )
      return new Uint8Array(signature)
    },
  }
}

/**
 * {@link DeviceKeys} over a {@link DeviceKeyStore}: new keys are non-extractable WebCrypto
 * P-256 pairs. `anonymousIdentity({ keyStore })` uses it for you.
 *
 * @example
 * ```ts
 * const keys = webCryptoDeviceKeys(memoryDeviceKeyStore())
 * const key = (await keys.load()) ?? (await keys.create())
 * ```
 */
export function webCryptoDeviceKeys(store: DeviceKeyStore): DeviceKeys {
  return {
    async load() {
      const pair = await store.load()
      return pair && webCryptoDeviceKey(pair)
    },
    async create() {
      const pair = await generateDeviceKeyPair()
      await store.save(pair)
      return webCryptoDeviceKey(pair)
    },
    clear: () => store.clear(),
    ...(store.exclusive ? { exclusive: store.exclusive.bind(store) } : {}),
  }
}

/**
 * A device key store in memory: a new identity per process. For tests, servers and
 * scripts; browsers use `indexedDbDeviceKeyStore()` from `@keyway/browser/anonymous`.
 *
 * @example
 * ```ts
 * const identity = anonymousIdentity({ audience: 'https://api.example.com', keyStore: memoryDeviceKeyStore() })
 * ```
 */
export function memoryDeviceKeyStore(): DeviceKeyStore {
  let saved: CryptoKeyPair | undefined
  return {
    async load() {
      return saved
    },
    async save(pair) {
      saved = pair
    },
    async clear() {
      saved = undefined
    },
  }
}
