import type { LinkOutcome, LinkRecord, LinkStore } from './link-store.js'

/**
 * Runs one parameterised statement (`$1`, `$2`, …) and resolves its rows. `pg` and PGlite
 * fit as they are; postgres.js through `sql.unsafe`.
 *
 * @example
 * ```ts
 * const query: SqlQuery = (sql, params) => pool.query(sql, params) // pg
 * const query2: SqlQuery = async (text, params) => ({ rows: await sql.unsafe(text, params) }) // postgres.js
 * ```
 */
export type SqlQuery = (
  sql: string,
  params?: unknown[],
) => Promise<{ rows: Array<Record<string, unknown>> }>

/** The tables the Postgres link store uses; `migrate()` runs it (it is idempotent). */
export const LINK_STORE_SCHEMA = `
create table if not exists keyway_nonces (nonce text primary key, expires_at bigint not null);
create index if not exists keyway_nonces_expiry on keyway_nonces (expires_at);
create table if not exists keyway_jtis (jti text primary key, expires_at bigint not null);
create index if not exists keyway_jtis_expiry on keyway_jtis (expires_at);
create table if not exists keyway_links (
  anonymous_id text primary key,
  user_id text not null,
  outcome text not null check (outcome in ('promoted', 'linked_existing')),
  linked_at bigint not null
);
create index if not exists keyway_links_user on keyway_links (user_id);
create table if not exists keyway_known_users (user_id text primary key);
`

function toRecord(row: Record<string, unknown>): LinkRecord {
  return {
    anonymousId: String(row.anonymous_id),
    userId: String(row.user_id),
    outcome: row.outcome as LinkOutcome,
    linkedAt: Number(row.linked_at),
  }
}

/**
 * A link store in Postgres, so every API server shares nonces, proof ids and links. Each
 * consume is one atomic statement (`DELETE … RETURNING`, `INSERT … ON CONFLICT DO NOTHING`).
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * const pool = new pg.Pool()
 * const store = postgresLinkStore((sql, params) => pool.query(sql, params))
 * await store.migrate()
 * ```
 */
export function postgresLinkStore(query: SqlQuery): LinkStore & { migrate(): Promise<void> } {
  return {
    async migrate() {
      for (const statement of LINK_STORE_SCHEMA.split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        await query(statement)
    },
    async createNonce(nonce, expiresAt) {
      await query('insert into keyway_nonces (nonce, expires_at) values ($1, $2)', [
        nonce,
        expiresAt,
      ])
    },
    async consumeNonce(nonce, now) {
      const { rows } = await query(
        'delete from keyway_nonces where nonce = $1 returning expires_at',
        [nonce],
      )
      if (rows.length === 0) return 'unknown'
      return Number(rows[0]!.expires_at) < now ? 'expired' : 'ok'
    },
    async consumeJti(jti, expiresAt) {
      const { rows } = await query(
        'insert into keyway_jtis (jti, expires_at) values ($1, $2) on conflict (jti) do nothing returning jti',
        [jti, expiresAt],
      )
      return rows.length === 1
    },
    async getLink(anonymousId) {
      const { rows } = await query('select * from keyway_links where anonymous_id = $1', [
        anonymousId,
      ])
      return rows[0] && toRecord(rows[0])
    },
    async putLink(record) {
      await query(
        `insert into keyway_links (anonymous_id, user_id, outcome, linked_at) values ($1, $2, $3, $4)
         on conflict (anonymous_id) do nothing`,
        [record.anonymousId, record.userId, record.outcome, record.linkedAt],
      )
      const { rows } = await query('select * from keyway_links where anonymous_id = $1', [
        record.anonymousId,
      ])
      return toRecord(rows[0]!)
    },
    async isKnownUser(userId) {
      const { rows } = await query('select 1 from keyway_known_users where user_id = $1', [userId])
      return rows.length > 0
    },
    async markKnownUser(userId) {
      await query('insert into keyway_known_users (user_id) values ($1) on conflict do nothing', [
        userId,
      ])
    },
    async aliasesOf(userId) {
      const { rows } = await query(
        'select anonymous_id from keyway_links where user_id = $1 order by linked_at, anonymous_id',
        [userId],
      )
      return rows.map((r) => String(r.anonymous_id))
    },
    async purgeExpired(now) {
      await query('delete from keyway_nonces where expires_at < $1', [now])
      await query('delete from keyway_jtis where expires_at < $1', [now])
    },
  }
}
