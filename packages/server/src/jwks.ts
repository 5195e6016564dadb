import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'

export interface JwksOptions {
  /** How long fetched keys count as fresh. Default 10 min. */
  cacheMaxAgeMs?: number
  /**
   * No refetch on an unknown `kid` within this long of the last fetch (jose's cooldown), and
   * no new attempt within this long of a failed fetch. Default 30 s.
   */
  cooldownMs?: number
  /** Timeout of one JWKS request. Default 5 s. */
  timeoutMs?: number
}

/** A fetch failure or a broken answer, as opposed to a key that is simply not there. */
function unreachable(error: unknown): boolean {
  const code = (error as { code?: string }).code
  return code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_TIMEOUT' || error instanceof TypeError
}

/**
 * jose's remote key set (cache, one refetch per cooldown on an unknown `kid`, redirects not
 * followed), plus what it does not do: while the JWKS endpoint is down, the keys last
 * fetched keep verifying, and the endpoint is tried again at most once per cooldown, so a
 * provider outage neither locks users out nor makes every request wait for a timeout.
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
): JWTVerifyGetKey {
  const cooldownMs = options.cooldownMs ?? 30_000
  const remote = createRemoteJWKSet(new URL(url), {
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
    cooldownDuration: cooldownMs,
    timeoutDuration: options.timeoutMs ?? 5_000,
  })
  let failedAt: number | undefined
  const lastKnown = () => {
    const known = remote.jwks()
    return known ? createLocalJWKSet(known) : undefined
  }
  return async (header, token) => {
    const stale = lastKnown()
    if (stale && failedAt !== undefined && now() - failedAt < cooldownMs)
      return stale(header, token)
    try {
      const key = await remote(header, token)
      failedAt = undefined
      return key
    } catch (error) {
      if (!unreachable(error)) throw error
      failedAt = now()
      if (!stale) throw error
      return stale(header, token)
    }
  }
}
