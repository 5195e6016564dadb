import type { Credentials, FetchCredentialsOptions } from '../contract.js'
import { KeywayError } from '../errors.js'
import type { AnonymousSource } from '../session/types.js'
import { abortError } from '../signal.js'
import {
  type DeviceKey,
  type DeviceKeyStore,
  type DeviceKeys,
  webCryptoDeviceKeys,
} from './device-key.js'
import { jwkThumbprint, randomId, sha256Base64Url, signCompact } from './jws.js'

/**
 * The `iss` of every keyway anonymous token and link proof.
 *
 * @example
 * ```ts
 * const isGuest = decodeJwt(token).payload.iss === ANONYMOUS_ISSUER
 * ```
 */
export const ANONYMOUS_ISSUER = 'urn:keyway:anonymous'
/**
 * The `typ` header of anonymous tokens.
 *
 * @example
 * ```ts
 * const isGuestToken = decodeJwt(token).header.typ === ANONYMOUS_TOKEN_TYP
 * ```
 */
export const ANONYMOUS_TOKEN_TYP = 'keyway-anon+jwt'
/**
 * The `typ` header of link proofs.
 *
 * @example
 * ```ts
 * const isLinkProof = decodeJwt(proof).header.typ === LINK_PROOF_TYP
 * ```
 */
export const LINK_PROOF_TYP = 'keyway-link+jwt'

/** Servers accept anonymous tokens that live at most this long (`exp - iat`). */
const MAX_LIFETIME_SEC = 3600
const PROOF_LIFETIME_SEC = 120

/** Options every anonymous identity takes, whatever holds its key. */
export interface AnonymousIdentityCommonOptions {
  /** The `aud` of anonymous tokens: the API that accepts them (the server's `anonymous.audience`). */
  audience: string
  /** Token lifetime in seconds. Default 600; at most 3600 (servers refuse longer). */
  lifetimeSec?: number
  /**
   * Wall-clock epoch ms for `iat`/`exp`. Default `Date.now`; pass the platform's
   * `wallNow` (or a test clock) so tokens and the session share one clock.
   */
  now?: () => number
}

/** Options of {@link anonymousIdentity}: a WebCrypto `keyStore`, or `deviceKeys` for other runtimes. */
export type AnonymousIdentityOptions = AnonymousIdentityCommonOptions &
  (
    | {
        /** Where the WebCrypto key pair lives (`indexedDbDeviceKeyStore()` in browsers). */ keyStore: DeviceKeyStore
        deviceKeys?: never
      }
    | {
        /** A key source for runtimes without WebCrypto P-256 (React Native). */ deviceKeys: DeviceKeys
        keyStore?: never
      }
  )

/** What a link proof binds: the server's challenge, the link endpoint and the provider token. */
export interface LinkProofInput {
  /** The provider token the server will verify; the proof carries only its SHA-256 (`pth`). */
  providerToken: string
  /** The single-use nonce from the server's challenge. */
  nonce: string
  /** The link endpoint's URL (the server's `linkAudience`). */
  audience: string
}

/**
 * A device-bound guest: verifiable tokens from the first second, no server round trip. Pass
 * it to `createSession({ anonymous })`; the session refreshes its tokens like any others.
 */
export interface AnonymousIdentity extends AnonymousSource {
  /** A fresh anonymous token (`sub: anon_…`), creating the device key on first use. */
  fetchCredentials(options?: FetchCredentialsOptions): Promise<Credentials>
  /** `anon_` + the device key's RFC 7638 thumbprint; creates the key on first use. */
  getId(): Promise<string>
  /** The current guest id, or `undefined` when this device has no key. Never creates one. */
  currentId(): Promise<string | undefined>
  /** `true` when a device key exists (a guest who may own local data). */
  exists(): Promise<boolean>
  /**
   * A link proof for upgrading this guest to a provider account: signed by the device key,
   * valid two minutes, bound to the server's nonce and (by hash) to one provider token.
   * Rejects with `ERR_LINK` when this device has no guest.
   */
  createLinkProof(input: LinkProofInput): Promise<string>
  /**
   * Forgets the device key so the next guest is a new identity (the session calls it on
   * sign-out). With `expectedId`, only when the key is still that guest. Keeps the key while
   * a guard from {@link keepWhile} says so.
   */
  reset(expectedId?: string): Promise<void>
  /**
   * Registers a guard that `reset` asks first: while it answers `true` for the current guest
   * id, the key is kept. The upgrade uses it so that a sign-out before the link is committed
   * leaves the guest, and its data, where they were. Returns the unregister function.
   */
  keepWhile(guard: (guestId: string) => Promise<boolean>): () => void
}

/** Serializes tasks in this realm: the default when a key store has no cross-tab lock. */
function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return (task) => {
    const run = tail.then(task, task)
    tail = run.catch(() => {})
    return run
  }
}

/**
 * Anonymous identity for local-first apps. While nobody is signed in, the session hands out
 * tokens this device signs itself: header `{alg: 'ES256', typ: 'keyway-anon+jwt', jwk}`,
 * claims `{iss: 'urn:keyway:anonymous', sub: anon_<thumbprint>, aud, iat, exp, jti}`.
 * `@keyway/server` verifies them with the embedded key; no shared secret exists.
 *
 * @example
 * ```ts
 * import { createSession } from '@keyway/core'
 * import { anonymousIdentity } from '@keyway/core/anonymous'
 * import { browserPlatform } from '@keyway/browser'
 * import { indexedDbDeviceKeyStore } from '@keyway/browser/anonymous'
 *
 * const platform = browserPlatform()
 * const identity = anonymousIdentity({
 *   audience: 'https://api.example.com',
 *   keyStore: indexedDbDeviceKeyStore(),
 *   now: platform.wallNow,
 * })
 * const session = createSession({ connector, platform, anonymous: identity })
 * ```
 */
export function anonymousIdentity(options: AnonymousIdentityOptions): AnonymousIdentity {
  const now = options.now ?? (() => Date.now())
  const lifetimeSec = options.lifetimeSec ?? 600
  if (!Number.isFinite(lifetimeSec) || lifetimeSec <= 0 || lifetimeSec > MAX_LIFETIME_SEC)
    throw new KeywayError('ERR_CONFIG', `lifetimeSec must be in (0, ${MAX_LIFETIME_SEC}]`, {
      transient: false,
    })
  if (typeof options.audience !== 'string' || options.audience === '')
    throw new KeywayError('ERR_CONFIG', 'anonymousIdentity needs an audience', {
      transient: false,
    })
  const keys: DeviceKeys = options.keyStore
    ? webCryptoDeviceKeys(options.keyStore)
    : options.deviceKeys
  const exclusive = keys.exclusive ? keys.exclusive.bind(keys) : serialQueue()
  // A key source may bring its own hash and randomness (React Native has no crypto.subtle).
  const sha256 = keys.sha256 ? keys.sha256.bind(keys) : undefined
  const jti = () => randomId(keys.randomBytes ? keys.randomBytes.bind(keys) : undefined)
  const guestIdOf = async (key: DeviceKey) => `anon_${await jwkThumbprint(key.publicJwk, sha256)}`
  const guards = new Set<(guestId: string) => Promise<boolean>>()

  async function loadOrCreate(): Promise<DeviceKey> {
    // The fast path needs no lock; creation re-checks inside it, so two tabs (or two calls
    // in one tab) that both found nothing still end up with one key.
    const existing = await keys.load()
    if (existing) return existing
    return exclusive(async () => (await keys.load()) ?? keys.create())
  }

  async function sign(typ: string, claims: Record<string, unknown>, key: DeviceKey) {
    return signCompact(key, { alg: 'ES256', typ, jwk: key.publicJwk }, claims)
  }

  const identity: AnonymousIdentity = {
    async fetchCredentials(fetchOptions) {
      if (fetchOptions?.signal.aborted) throw abortError(fetchOptions.signal)
      const key = await loadOrCreate()
      const iat = Math.floor(now() / 1000)
      const token = await sign(
        ANONYMOUS_TOKEN_TYP,
        {
          iss: ANONYMOUS_ISSUER,
          sub: await guestIdOf(key),
          aud: options.audience,
          iat,
          exp: iat + lifetimeSec,
          jti: jti(),
        },
        key,
      )
      return { token }
    },
    async getId() {
      return guestIdOf(await loadOrCreate())
    },
    async currentId() {
      const key = await keys.load()
      return key && guestIdOf(key)
    },
    async exists() {
      return (await keys.load()) !== undefined
    },
    async createLinkProof({ providerToken, nonce, audience }) {
      const key = await keys.load()
      if (!key) throw new KeywayError('ERR_LINK', 'There is no guest on this device to link')
      const iat = Math.floor(now() / 1000)
      return sign(
        LINK_PROOF_TYP,
        {
          iss: ANONYMOUS_ISSUER,
          sub: await guestIdOf(key),
          aud: audience,
          nonce,
          jti: jti(),
          iat,
          exp: iat + PROOF_LIFETIME_SEC,
          pth: await sha256Base64Url(providerToken, sha256),
        },
        key,
      )
    },
    reset(expectedId) {
      return exclusive(async () => {
        const key = await keys.load()
        if (!key) return
        const id = await guestIdOf(key)
        if (expectedId !== undefined && id !== expectedId) return
        for (const guard of guards) if (await guard(id)) return
        await keys.clear()
      })
    },
    keepWhile(guard) {
      guards.add(guard)
      return () => {
        guards.delete(guard)
      }
    },
  }
  return identity
}
