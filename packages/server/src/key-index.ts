import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose'

/** A fetched key set, indexed once: each lookup costs the same whatever the set's size. */
export interface KeyIndex {
  /** jose's local key set semantics, on the keys that share the header's `kid` (all keys without one). */
  getKey(header: JWTHeaderParameters, token: Parameters<JWTVerifyGetKey>[1]): Promise<CryptoKey>
  size: number
}

/**
 * Indexes a JWKS by `kid`. A token naming a `kid` is matched against the few keys with that
 * `kid` only (a jose local key set built the first time that `kid` is asked for, then kept);
 * a token without one against the whole set, which jose filters by type, curve, `use` and
 * `key_ops`, answering `ERR_JWKS_MULTIPLE_MATCHING_KEYS` with the candidates to try when
 * several fit. Built once per fetched set, never per verification.
 */
export function indexKeys(set: JSONWebKeySet): KeyIndex {
  const byKid = new Map<string, JWK[]>()
  for (const jwk of set.keys)
    if (typeof jwk.kid === 'string') {
      const group = byKid.get(jwk.kid)
      if (group) group.push(jwk)
      else byKid.set(jwk.kid, [jwk])
    }
  type LocalSet = ReturnType<typeof createLocalJWKSet>
  const local = new Map<string, LocalSet>()
  let whole: LocalSet | undefined
  return {
    size: set.keys.length,
    getKey(header, token) {
      const kid = header.kid
      if (kid === undefined) {
        whole ??= createLocalJWKSet(set)
        return whole(header, token)
      }
      const group = typeof kid === 'string' ? byKid.get(kid) : undefined
      // A rejection, never a throw: callers chain .catch on the answer.
      if (!group) return Promise.reject(new errors.JWKSNoMatchingKey())
      let getKey = local.get(kid as string)
      if (!getKey) {
        getKey = createLocalJWKSet({ keys: group })
        local.set(kid as string, getKey)
      }
      return getKey(header, token)
    },
  }
}

/** Whether a parsed JSON answer is a key set: an object whose `keys` is an array of objects. */
export function isKeySet(data: unknown): data is JSONWebKeySet {
  const keys = (data as { keys?: unknown } | null)?.keys
  return (
    Array.isArray(keys) &&
    keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))
  )
}
