/**
 * `promoted`: the account is new and takes over the guest's data. `linked_existing`: the
 * account existed, the guest became its alias (nothing stranded; the app merges when it likes).
 */
export type LinkOutcome = 'promoted' | 'linked_existing'

/** One guest linked to one account. */
export interface LinkRecord {
  anonymousId: string
  userId: string
  outcome: LinkOutcome
  linkedAt: number
}

/**
 * Server-side state of anonymous upgrades, shared by every API server behind a load
 * balancer (Postgres) or kept in one process (memory). Every consume is atomic: a nonce or
 * a proof id can be used once, whatever the race, whichever server sees it. Implement it
 * over your own database when neither fits, and prove it with `runLinkStoreConformance`
 * from `@keyway/server/testing`, the suite both built-in stores pass.
 *
 * @example
 * ```ts
 * const store: LinkStore = postgresLinkStore((sql, params) => pool.query(sql, params))
 * await store.markKnownUser('user_123') // e.g. when an account writes its first row
 * ```
 */
export interface LinkStore {
  /**
   * Uses a challenge nonce up: `true` the first time, `false` ever after (until it is swept,
   * once `expiresAt`, epoch ms, has passed: by then the nonce itself is refused as expired).
   */
  consumeNonce(nonce: string, expiresAt: number): Promise<boolean>
  /** Records a proof's `jti` until `expiresAt`; `false` when it was seen before (a replay). */
  consumeJti(jti: string, expiresAt: number): Promise<boolean>
  /** The link of an anonymous id, if any. */
  getLink(anonymousId: string): Promise<LinkRecord | undefined>
  /** Stores a link unless the anonymous id is linked already; returns the record that holds. */
  putLink(record: LinkRecord): Promise<LinkRecord>
  /** Whether this account existed before (has data or a previous link). */
  isKnownUser(userId: string): Promise<boolean>
  /** Records that an account exists (the link handler does it after each link). */
  markKnownUser(userId: string): Promise<void>
  /** The anonymous ids linked to an account, oldest first. */
  aliasesOf(userId: string): Promise<string[]>
  /**
   * Deletes the nonces and proof ids that expired before `now` and resolves how many: the
   * link handler calls it at most once a minute, so the tables stay as small as the last
   * few minutes of links.
   */
  sweep(now: number): Promise<number>
  /**
   * The key challenge nonces are signed with, shared by every server on this store (the
   * link handler's `challengeSecret` wins over it). Without either, each handler makes its own.
   */
  challengeKey?(): Promise<Uint8Array>
}
