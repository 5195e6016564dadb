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

/** What a nonce check found. */
export type NonceCheck = 'ok' | 'expired' | 'unknown'

/**
 * Server-side state of anonymous upgrades, shared by every API server behind a load
 * balancer (Postgres) or kept in one process (memory). Every consume is atomic: a nonce or
 * a proof id can be used once, whatever the race. Implement it over your own database when
 * neither fits; `test/link-store-contract.ts` is the suite both built-in stores pass.
 *
 * @example
 * ```ts
 * const store: LinkStore = postgresLinkStore((sql, params) => pool.query(sql, params))
 * await store.markKnownUser('user_123') // e.g. when an account writes its first row
 * ```
 */
export interface LinkStore {
  /** Remembers a challenge nonce until `expiresAt` (epoch ms). */
  createNonce(nonce: string, expiresAt: number): Promise<void>
  /** Uses a nonce up: `ok` the first time within its life. */
  consumeNonce(nonce: string, now: number): Promise<NonceCheck>
  /** Records a proof's `jti`; `false` when it was seen before (a replay). */
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
  /** Forgets nonces and proof ids that expired before `now`; the link handler calls it now and then. */
  purgeExpired?(now: number): Promise<void>
}
