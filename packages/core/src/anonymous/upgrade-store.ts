/**
 * `promoted`: the account is new and takes over the guest. `linked_existing`: the account
 * existed; the guest became its alias, and both sets of rows are the account's.
 */
export type UpgradeOutcome = 'promoted' | 'linked_existing'

/** A finished link: the guest `from` now belongs to the account `to`. */
export interface UpgradeResult {
  /** The guest id (`anon_…`). */
  from: string
  /** The account's user id (the provider token's `sub`). */
  to: string
  outcome: UpgradeOutcome
}

/**
 * The persisted step of an upgrade; each is written before the next step starts, so a
 * reload or crash resumes where it stopped.
 *
 * - `pending`: the guest is not linked yet. `flushed` says its unsynced writes reached the
 *   server (after the link, the server no longer accepts the guest's own tokens).
 *   `linkSent` says a link request went out without a definite answer: the server may have
 *   committed it, so the next run links again (idempotent) instead of starting over.
 * - `linked`: the server committed the link.
 * - `migrated`: the app re-owned its local rows (`onUpgrade` ran).
 * - `done`: the device key of the guest is forgotten.
 */
export type UpgradeRecord =
  | { state: 'pending'; from: string; flushed: boolean; linkSent?: boolean }
  | ({ state: 'linked' | 'migrated' | 'done' } & UpgradeResult)

/** Where the upgrade's step survives a reload or a crash: one record per app install. */
export interface UpgradeStore {
  get(): Promise<UpgradeRecord | undefined>
  set(record: UpgradeRecord): Promise<void>
  delete(): Promise<void>
}

/**
 * An upgrade store in memory: survives a failed step, not a reload. For tests, or apps
 * that accept restarting an interrupted upgrade from scratch (the server makes that safe).
 *
 * @example
 * ```ts
 * const store = memoryUpgradeStore()
 * store.record // the current step, for tests
 * ```
 */
export function memoryUpgradeStore(): UpgradeStore & {
  readonly record: UpgradeRecord | undefined
} {
  let record: UpgradeRecord | undefined
  return {
    get record() {
      return record && { ...record }
    },
    async get() {
      return record && { ...record }
    },
    async set(next) {
      record = { ...next }
    },
    async delete() {
      record = undefined
    },
  }
}

/** `localStorage`, `sessionStorage`, React Native's AsyncStorage, or anything alike. */
export interface KeyValueStorage {
  getItem(key: string): string | null | Promise<string | null>
  setItem(key: string, value: string): void | Promise<void>
  removeItem(key: string): void | Promise<void>
}

const STATES = new Set(['pending', 'linked', 'migrated', 'done'])

function parseRecord(text: string | null): UpgradeRecord | undefined {
  if (text === null) return undefined
  try {
    const value = JSON.parse(text) as UpgradeRecord
    if (
      typeof value === 'object' &&
      value &&
      STATES.has(value.state) &&
      typeof value.from === 'string'
    )
      return value
  } catch {
    // A damaged record is no record: the upgrade starts over, which the server makes safe.
  }
  return undefined
}

/**
 * An upgrade store over a string key-value storage: `localStorage` in browsers (shared by
 * every tab of the origin), AsyncStorage on React Native.
 *
 * @example
 * ```ts
 * const upgrade = createUpgrade({ identity, linkUrl, store: keyValueUpgradeStore(localStorage) })
 * ```
 */
export function keyValueUpgradeStore(
  storage: KeyValueStorage,
  key = 'keyway:upgrade',
): UpgradeStore {
  return {
    async get() {
      return parseRecord(await storage.getItem(key))
    },
    async set(record) {
      await storage.setItem(key, JSON.stringify(record))
    },
    async delete() {
      await storage.removeItem(key)
    },
  }
}
