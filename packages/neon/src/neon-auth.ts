import type { Session, TokenOptions } from '@keyway/core'
import {
  type HTTPTransactionOptions,
  type NeonQueryFunction,
  type NeonQueryPromise,
  neon,
} from '@neondatabase/serverless'

/** `neon()`'s options without `authToken` (the session supplies it), plus `minValidityMs`. */
export type NeonAuthOptions<ArrayMode extends boolean, FullResults extends boolean> = Omit<
  HTTPTransactionOptions<ArrayMode, FullResults>,
  'authToken'
> &
  TokenOptions

/** The driver answers anything but 200 and 400 with `Server error (HTTP status N): …`. */
const isUnauthorized = (error: unknown) =>
  error instanceof Error && /\(HTTP status 401\)/.test(error.message)

/**
 * The Neon serverless driver's `sql` function (`neon(url, { authToken })`) with its token
 * from a keyway session.
 *
 * - Every query and transaction carries a token with at least `minValidityMs` of life (the
 *   session's floor by default): never one that expires on the way.
 * - A 401 (the Data API or the SQL-over-HTTP endpoint refused the JWT) reports the token
 *   rejected (`session.reportRejected`) and runs the query once more with the new one. A
 *   second 401, or no new token, throws the driver's error.
 *
 * Tagged queries, `sql.query()` and `sql.transaction()` work as with `neon()`; queries stay
 * lazy and can be passed to `transaction()`.
 *
 * @example
 * ```ts
 * import { neonAuth } from '@keyway/neon'
 *
 * const sql = neonAuth(process.env.DATABASE_AUTHENTICATED_URL!, session)
 * const todos = await sql`select * from todos where user_id = auth.user_id()`
 * ```
 */
export function neonAuth<ArrayMode extends boolean = false, FullResults extends boolean = false>(
  url: string,
  session: Session,
  options: NeonAuthOptions<ArrayMode, FullResults> = {},
): NeonQueryFunction<ArrayMode, FullResults> {
  const { minValidityMs, ...neonOptions } = options
  const token = () => session.getToken({ minValidityMs })
  const sql = neon<ArrayMode, FullResults>(url, { ...neonOptions, authToken: token })

  /** Runs `send` with a token; after a 401, once more with the token that replaced it. */
  async function retried<T>(send: (token: string) => Promise<T>): Promise<T> {
    const first = await token()
    try {
      return await send(first)
    } catch (error) {
      if (!isUnauthorized(error)) throw error
      const next = await session.reportRejected(first).catch(() => null)
      if (!next) throw error
      return send(next.token)
    }
  }

  /** The query stays the driver's own (lazy, usable in a transaction); only its run retries. */
  function retrying<Q extends NeonQueryPromise<ArrayMode, FullResults>>(query: Q): Q {
    const { execute } = query
    query.execute = (data, opts) =>
      // The driver takes a per-query `authToken`: this run's token, known for the report.
      retried((authToken) => execute(data, { ...opts, authToken } as typeof opts))
    return query
  }

  const retryingSql = ((strings: TemplateStringsArray, ...params: unknown[]) =>
    retrying(sql(strings, ...params))) as NeonQueryFunction<ArrayMode, FullResults>
  retryingSql.query = (text, params, queryOptions) =>
    retrying(sql.query(text, params, queryOptions as never)) as never
  retryingSql.unsafe = sql.unsafe
  // A transaction takes no per-call token: each try runs on a driver bound to its token.
  retryingSql.transaction = (queries, transactionOptions) =>
    retried((authToken) =>
      neon<ArrayMode, FullResults>(url, { ...neonOptions, authToken }).transaction(
        queries,
        transactionOptions,
      ),
    )
  return retryingSql
}
