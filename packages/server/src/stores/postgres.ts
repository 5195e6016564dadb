import { base64url } from 'jose'
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

/**
 * The tables the Postgres link store uses; `migrate()` runs it (it is idempotent).
 * `keyway_nonces` and `keyway_jtis` hold used challenge nonces and proof ids until they
 * expire (`sweep` deletes them after); `keyway_links` the guest → account links;
 * `keyway_known_users` accounts seen before; `keyway_secrets` the challenge-signing key.
 */
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
create table if not exists keyway_secrets (name text primary key, value text not null);
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
 * consume is one atomic statement (`INSERT … ON CONFLICT DO NOTHING RETURNING`), so a fleet
 * of servers on one database uses each nonce and proof id exactly once.
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
  /** One atomic statement: the row goes in, or it was there and nothing happens. */
  async function consumeOnce(table: string, column: string, id: string, expiresAt: number) {
    const { rows } = await query(
      `insert into ${table} (${column}, expires_at) values ($1, $2) on conflict (${column}) do nothing returning ${column}`,
      [id, expiresAt],
    )
    return rows.length === 1
  }
  return {
    async migrate() {
      for (const statement of LINK_STORE_SCHEMA.split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        await query(statement)
    },
    consumeNonce: (nonce, expiresAt) => consumeOnce('keyway_nonces', 'nonce', nonce, expiresAt),
    consumeJti: (jti, expiresAt) => consumeOnce('keyway_jtis', 'jti', jti, expiresAt),
    async getLink(anonymousId) {
      const { rows } = await query('select * from keyway_links where anonymous_id = $1', [
        anonymousId,
      ])
      return rows[0] && toRecord(rows[0])
    },
    async putLink(record) {
      const inserted = await query(
        `insert into keyway_links (anonymous_id, user_id, outcome, linked_at) values ($1, $2, $3, $4)
         on conflict (anonymous_id) do nothing returning *`,
        [record.anonymousId, record.userId, record.outcome, record.linkedAt],
      )
      if (inserted.rows[0]) return toRecord(inserted.rows[0])
      // Another server's link won: a new statement sees its committed row.
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
    async sweep(now) {
      const { rows } = await query(
        `with n as (delete from keyway_nonces where expires_at < $1 returning 1),
              j as (delete from keyway_jtis where expires_at < $1 returning 1)
         select (select count(*) from n) + (select count(*) from j) as removed`,
        [now],
      )
      return Number(rows[0]?.removed ?? 0)
    },
    async challengeKey() {
      // The first server to ask stores a random key; every other one reads that one.
      await query(
        "insert into keyway_secrets (name, value) values ('challenge', $1) on conflict (name) do nothing",
        [base64url.encode(crypto.getRandomValues(new Uint8Array(32)))],
      )
      const { rows } = await query("select value from keyway_secrets where name = 'challenge'")
      return base64url.decode(String(rows[0]!.value))
    },
  }
}
