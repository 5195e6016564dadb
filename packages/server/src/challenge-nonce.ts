import { base64url } from 'jose'
import { isCanonicalBase64url } from './compact-jws.js'

/** What checking a presented nonce found, before the store is asked whether it was used. */
export type NonceCheck =
  | { ok: true; expiresAt: number }
  | { ok: false; reason: 'nonce_unknown' | 'nonce_expired' }

/** Challenge nonces: issued and checked without the store. */
export interface ChallengeNonces {
  issue(expiresAt: number): Promise<string>
  check(nonce: string, now: number): Promise<NonceCheck>
}

const encoder = new TextEncoder()

/**
 * Stateless challenge nonces: `<expiry>.<random>.<HMAC-SHA256 of both>`, under a key every
 * server of a fleet shares. Handing one out writes nothing anywhere, so a flood of
 * unauthenticated `POST …/challenge` calls fills no table; the store only records a nonce
 * when a link that carries it has verified (proof and provider token), to use it once.
 *
 * @example
 * ```ts
 * const nonces = challengeNonces(async () => secretBytes)
 * const nonce = await nonces.issue(Date.now() + 120_000)
 * await nonces.check(nonce, Date.now()) // { ok: true, expiresAt }
 * ```
 */
export function challengeNonces(secret: () => Promise<Uint8Array>): ChallengeNonces {
  let key: Promise<CryptoKey> | undefined
  const hmacKey = () => {
    key ??= secret()
      .then((bytes) =>
        crypto.subtle.importKey(
          'raw',
          bytes as BufferSource,
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign', 'verify'],
        ),
      )
      .catch((error: unknown) => {
        // The store could not be read (a database blip): ask again next time.
        key = undefined
        throw error
      })
    return key
  }
  return {
    async issue(expiresAt) {
      const random = crypto.getRandomValues(new Uint8Array(16))
      const body = `${expiresAt.toString(36)}.${base64url.encode(random)}`
      const mac = await crypto.subtle.sign('HMAC', await hmacKey(), encoder.encode(body))
      return `${body}.${base64url.encode(new Uint8Array(mac))}`
    },
    async check(nonce, now) {
      const parts = typeof nonce === 'string' && nonce.length < 200 ? nonce.split('.') : []
      if (parts.length !== 3 || !/^[0-9a-z]{1,12}$/.test(parts[0]!))
        return { ok: false, reason: 'nonce_unknown' }
      // One spelling per MAC, so the store never sees one nonce under two names.
      if (!/^[A-Za-z0-9_-]{43}$/.test(parts[2]!) || !isCanonicalBase64url(parts[2]!))
        return { ok: false, reason: 'nonce_unknown' }
      const mac = base64url.decode(parts[2]!)
      const body = `${parts[0]}.${parts[1]}`
      // subtle.verify compares in constant time.
      const genuine = await crypto.subtle.verify(
        'HMAC',
        await hmacKey(),
        mac as BufferSource,
        encoder.encode(body),
      )
      if (!genuine) return { ok: false, reason: 'nonce_unknown' }
      const expiresAt = Number.parseInt(parts[0]!, 36)
      return expiresAt < now ? { ok: false, reason: 'nonce_expired' } : { ok: true, expiresAt }
    },
  }
}
