import { PGlite, type Transaction } from '@electric-sql/pglite'

/**
 * The demo's database: notes with row-level security on the verified token's `sub`, the
 * pattern of Neon's `auth.user_id()` and Supabase's `auth.jwt()`. A row is visible to its
 * owner and to the account an anonymous owner was linked to (its aliases).
 */
export interface NotesDb {
  /** Runs `fn` as the given user: role `app_user`, `request.jwt.sub` set for this transaction. */
  asUser<T>(sub: string, fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** Records that `alias` (an anonymous id) now belongs to `account`. */
  addAlias(alias: string, account: string): Promise<void>
  /** Raw SQL as the owner, for link stores and tests. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>
  close(): Promise<void>
}

const SCHEMA = `
create table notes (
  id serial primary key,
  owner text not null,
  body text not null check (length(body) between 1 and 500),
  created_at timestamptz not null default now()
);
create table aliases (alias text primary key, account text not null);
alter table notes enable row level security;
create role app_user nologin;
grant select, insert, delete on notes to app_user;
grant select on aliases to app_user;
grant usage on sequence notes_id_seq to app_user;
create policy notes_owner on notes
  using (
    owner = current_setting('request.jwt.sub', true)
    or owner in (select alias from aliases where account = current_setting('request.jwt.sub', true))
  )
  with check (owner = current_setting('request.jwt.sub', true));
`

export async function openNotesDb(): Promise<NotesDb> {
  const db = new PGlite()
  await db.exec(SCHEMA)
  return {
    asUser(sub, fn) {
      return db.transaction(async (tx) => {
        await tx.query('set local role app_user')
        await tx.query(`select set_config('request.jwt.sub', $1, true)`, [sub])
        return fn(tx)
      })
    },
    async addAlias(alias, account) {
      await db.query(
        'insert into aliases (alias, account) values ($1, $2) on conflict (alias) do nothing',
        [alias, account],
      )
    },
    query: (sql, params) => db.query(sql, params),
    close: () => db.close(),
  }
}
