import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose'
import { readBounded } from './bounded-body.js'
import { indexKeys, isKeySet, type KeyIndex } from './key-index.js'
import { VerificationError } from './verification-error.js'

export interface JwksOptions {
  /** How long fetched keys count as fresh. Default 10 min. */
  cacheMaxAgeMs?: number
  /**
   * The least time between two fetches of one JWKS: an unknown `kid` refetches only once
   * this long after the last fetch, and a failed fetch (unreachable, non-200, not a key set,
   * too big) is not tried again within it, whether or not keys were ever fetched. Default 30 s.
   */
  cooldownMs?: number
  /** Timeout of one JWKS request, body included. Default 5 s. */
  timeoutMs?: number
  /** Largest JWKS body read; a bigger answer is cut off and counts as a failed fetch. Default 512 KiB. */
  maxBodyBytes?: number
  /**
   * While the JWKS cannot be fetched, the keys fetched last keep verifying for this long
   * after that fetch, then tokens are refused as `jwks_unavailable`: a key the provider
   * revoked during an outage stops working at the latest this long after. Default 24 h.
   */
  staleWindowMs?: number
}

/** A key set fetched from a JWKS URL (see `resilientJwks`). */
export type RemoteKeySet = JWTVerifyGetKey

function unavailable(message: string, cause?: unknown): VerificationError {
  return new VerificationError('jwks_unavailable', message, cause)
}

/** One bounded GET of a JWKS: 200, JSON, a key set, within the size and time limits. */
async function fetchKeySet(url: string, timeoutMs: number, maxBytes: number) {
  let response: Response
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json, application/jwk-set+json' },
      // A redirect is an answer we refuse, not one we follow (as jose's remote key set).
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (cause) {
    throw unavailable("The provider's JWKS could not be fetched", cause)
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined)
    throw unavailable(`The provider's JWKS answered ${response.status}`)
  }
  const body = await readBounded(response.body, maxBytes, response.headers.get('content-length'))
  if (!body.ok)
    throw unavailable(
      body.reason === 'too_large'
        ? `The provider's JWKS is larger than ${maxBytes} bytes`
        : "The provider's JWKS answer broke off",
    )
  let data: unknown
  try {
    data = JSON.parse(new TextDecoder().decode(body.bytes))
  } catch (cause) {
    throw unavailable("The provider's JWKS answer is not JSON", cause)
  }
  if (!isKeySet(data)) throw unavailable("The provider's JWKS answer is not a key set")
  return data as JSONWebKeySet
}

/**
 * The keys of one JWKS URL, for jose's `jwtVerify`: fetched on first use, fresh for
 * `cacheMaxAgeMs`, indexed once per fetch so a lookup costs the same for 2 keys or 20,000.
 * Concurrent callers share one fetch. No fetch happens within `cooldownMs` of the last
 * failed one (a cold start during an outage costs one request per cooldown, not one per
 * token) nor, for an unknown `kid`, within `cooldownMs` of the last fetch. While the
 * endpoint fails, the last keys keep verifying for `staleWindowMs`; past it, or with no keys
 * at all, the answer is a transient `jwks_unavailable`. Redirects are not followed and
 * bodies over `maxBodyBytes` are cut off.
 *
 * @example
 * ```ts
 * const keys = resilientJwks('https://example.clerk.accounts.dev/.well-known/jwks.json')
 * const { payload } = await jwtVerify(token, keys, { issuer, algorithms: ['RS256'] })
 * ```
 */
export function resilientJwks(
  url: string,
  options: JwksOptions = {},
  now: () => number = () => Date.now(),
): RemoteKeySet {
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000
  const cooldownMs = options.cooldownMs ?? 30_000
  const timeoutMs = options.timeoutMs ?? 5_000
  const maxBodyBytes = options.maxBodyBytes ?? 512 * 1024
  const staleWindowMs = options.staleWindowMs ?? 86_400_000
  let keys: { index: KeyIndex; fetchedAt: number } | undefined
  let lastFetchAt = Number.NEGATIVE_INFINITY
  let lastFailure: { at: number; error: VerificationError } | undefined
  let inflight: Promise<void> | undefined

  function refresh(): Promise<void> {
    inflight ??= (async () => {
      lastFetchAt = now()
      try {
        const set = await fetchKeySet(url, timeoutMs, maxBodyBytes)
        keys = { index: indexKeys(set), fetchedAt: now() }
        lastFailure = undefined
      } catch (error) {
        lastFailure = { at: now(), error: error as VerificationError }
      } finally {
        inflight = undefined
      }
    })()
    return inflight
  }

  const coolingDown = () => lastFailure !== undefined && now() - lastFailure.at < cooldownMs

  /** The keys to use now: fresh ones, or the last ones within the stale window. */
  async function usable(): Promise<KeyIndex> {
    if (inflight) await inflight
    else if ((!keys || now() - keys.fetchedAt >= cacheMaxAgeMs) && !coolingDown()) await refresh()
    if (keys && now() - keys.fetchedAt < staleWindowMs) return keys.index
    throw (
      lastFailure?.error ??
      unavailable(`The provider's keys are older than ${staleWindowMs} ms and cannot be refreshed`)
    )
  }

  /** An unknown `kid` (maybe a key rotated in since the last fetch): one refetch per cooldown. */
  async function retryUnknownKid(
    error: unknown,
    header: Parameters<RemoteKeySet>[0],
    token: Parameters<RemoteKeySet>[1],
  ) {
    const unknownKid =
      (error as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY' &&
      now() - lastFetchAt >= cooldownMs
    if (!unknownKid) throw error
    await refresh()
    if (lastFailure) throw lastFailure.error
    return (await usable()).getKey(header, token)
  }

  return (header, token) => {
    // The healthy path: fresh keys, nothing in flight, straight to the index.
    if (keys && !inflight && now() - keys.fetchedAt < cacheMaxAgeMs)
      return keys.index
        .getKey(header, token)
        .catch((error) => retryUnknownKid(error, header, token))
    return usable().then((index) =>
      index.getKey(header, token).catch((error) => retryUnknownKid(error, header, token)),
    )
  }
}
