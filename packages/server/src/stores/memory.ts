import type { LinkRecord, LinkStore } from './link-store.js'

/** Deletes the entries of `map` that expired before `now`; resolves how many. */
function sweepMap(map: Map<string, number>, now: number): number {
  let removed = 0
  for (const [key, expiresAt] of map)
    if (expiresAt < now) {
      map.delete(key)
      removed++
    }
  return removed
}

/**
 * A link store in one process's memory: for tests and single-server deployments (links
 * are lost on restart; use `postgresLinkStore` when they must last).
 *
 * @example
 * ```ts
 * const links = createLinkHandler({ verifier, store: memoryLinkStore(), linkAudience })
 * ```
 */
export function memoryLinkStore(): LinkStore {
  const nonces = new Map<string, number>()
  const jtis = new Map<string, number>()
  const links = new Map<string, LinkRecord>()
  const known = new Set<string>()
  const key = crypto.getRandomValues(new Uint8Array(32))
  const consume = (map: Map<string, number>, id: string, expiresAt: number) => {
    if (map.has(id)) return false
    map.set(id, expiresAt)
    return true
  }
  // Every method is synchronous inside, so each check-and-set is atomic on one event loop.
  return {
    async consumeNonce(nonce, expiresAt) {
      return consume(nonces, nonce, expiresAt)
    },
    async consumeJti(jti, expiresAt) {
      return consume(jtis, jti, expiresAt)
    },
    async getLink(anonymousId) {
      return links.get(anonymousId)
    },
    async putLink(record) {
      const existing = links.get(record.anonymousId)
      if (existing) return existing
      links.set(record.anonymousId, { ...record })
      return record
    },
    async isKnownUser(userId) {
      return known.has(userId)
    },
    async markKnownUser(userId) {
      known.add(userId)
    },
    async aliasesOf(userId) {
      return [...links.values()]
        .filter((l) => l.userId === userId)
        .sort((a, b) => a.linkedAt - b.linkedAt)
        .map((l) => l.anonymousId)
    },
    async sweep(now) {
      return sweepMap(nonces, now) + sweepMap(jtis, now)
    },
    async challengeKey() {
      return key
    },
  }
}
