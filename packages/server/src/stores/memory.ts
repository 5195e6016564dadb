import type { LinkRecord, LinkStore } from './link-store.js'

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
  // Every method is synchronous inside, so each check-and-set is atomic on one event loop.
  return {
    async createNonce(nonce, expiresAt) {
      nonces.set(nonce, expiresAt)
    },
    async consumeNonce(nonce, now) {
      const expiresAt = nonces.get(nonce)
      nonces.delete(nonce)
      if (expiresAt === undefined) return 'unknown'
      return expiresAt < now ? 'expired' : 'ok'
    },
    async consumeJti(jti, expiresAt) {
      if (jtis.has(jti)) return false
      jtis.set(jti, expiresAt)
      return true
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
    async purgeExpired(now) {
      for (const [nonce, expiresAt] of nonces) if (expiresAt < now) nonces.delete(nonce)
      for (const [jti, expiresAt] of jtis) if (expiresAt < now) jtis.delete(jti)
    },
  }
}
