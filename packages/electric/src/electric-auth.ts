import type { ShapeStreamOptions } from '@electric-sql/client'
import { isKeywayError, KeywayError, type Session } from '@keyway/core'

/** What an `onError` answers, as in Electric's own type: retry options, or nothing = stop. */
// biome-ignore lint/suspicious/noConfusingVoidType: mirrors Electric's `void | RetryOpts`
export type ElectricAnswer = void | ElectricRetry

/** Electric's `RetryOpts`: retry with these params and headers merged over the stream's. */
export type ElectricRetry = {
  params?: ShapeStreamOptions['params']
  headers?: ShapeStreamOptions['headers']
}

export interface ElectricAuthOptions {
  /**
   * Told of every error keyway does not handle itself, as a `KeywayError`: a 4xx other than
   * 401 (`403` → `ERR_REJECTED`, others → `ERR_CONFIG`, both final, Electric’s error in `cause`),
   * a sign-out (`ERR_SIGNED_OUT`), or anything else Electric gave up on (`cause` holds
   * Electric's error). Return Electric's retry options (`{}` or `{ params, headers }`) to retry;
   * return nothing to let the stream stop.
   */
  onError?: (error: KeywayError) => ElectricAnswer | Promise<ElectricAnswer>
}

/** The auth part of `ShapeStreamOptions`: spread it into `new ShapeStream({ … })`. */
export interface ElectricAuth {
  headers: { Authorization: () => Promise<string> }
  onError: (error: Error) => Promise<ElectricAnswer>
}

/** An Electric `FetchError`, matched by shape: the app may have its own copy of the client. */
function httpStatus(error: Error): number | undefined {
  const status = (error as { status?: unknown }).status
  return error.name === 'FetchError' && typeof status === 'number' ? status : undefined
}

/**
 * `headers` and `onError` for Electric's `ShapeStream` (and `useShape`), from a keyway session.
 *
 * - Every request (the initial sync and each live long-poll) carries `Authorization: Bearer`
 *   with the session's current token, read when the request is made: a refreshed token is
 *   used from the next request on.
 * - A 401 (an auth proxy refused the token) reports it rejected (`session.reportRejected`)
 *   and retries with the new token: Electric resumes at the offset and handle it had, so no
 *   row is fetched or applied twice.
 * - While no token can be had (provider down, offline), the stream waits for the session
 *   instead of stopping; it stops only when nobody is signed in, on a final error, or when the
 *   session is disposed while it waits (`onError` hears `ERR_DISPOSED`).
 * - Other 4xx do not stop the stream silently: `options.onError` gets them as coded
 *   `KeywayError`s and decides.
 *
 * @example
 * ```ts
 * import { ShapeStream } from '@electric-sql/client'
 * import { electricAuth } from '@keyway/electric'
 *
 * const stream = new ShapeStream({
 *   url: 'https://api.example.com/v1/shape',
 *   params: { table: 'items' },
 *   ...electricAuth(session),
 * })
 * ```
 */
export function electricAuth(session: Session, options: ElectricAuthOptions = {}): ElectricAuth {
  /** The token of the latest request: the one a 401 refers to (a stream has one in flight). */
  let sent: string | undefined
  const headers = {
    Authorization: async () => {
      sent = await session.getToken()
      return `Bearer ${sent}`
    },
  }
  // Electric merges the headers a retry returns over its own: handing back the same function
  // keeps every later request reading the current token.
  const retry: ElectricRetry = { headers }

  /** Resolves once the session hands out a token other than `token`. */
  async function replaced(token: string | undefined): Promise<void> {
    while (session.peek()?.token === token || session.peek() === undefined) {
      const seen = session.getSnapshot()
      if (seen.status === 'signedOut') return
      await new Promise<void>((resolve) => {
        const off = session.subscribe(() => {
          off()
          resolve()
        })
      })
    }
  }

  /**
   * Retries once the session hands out a token other than `token`. The session disposed
   * meanwhile (the app tore down) is a final error like any other: `onError` hears it and the
   * stream stops, instead of Electric swallowing a rejected `onError` and never tearing down.
   */
  async function retryWhenReplaced(token: string | undefined): Promise<ElectricAnswer> {
    try {
      await replaced(token)
    } catch (failure) {
      return options.onError?.(toKeyway(failure))
    }
    return retry
  }

  async function handle(error: Error): Promise<ElectricAnswer> {
    const status = httpStatus(error)
    if (status === 401) {
      const token = sent
      if (token === undefined) return retry
      try {
        await session.reportRejected(token)
      } catch (failure) {
        if (!isKeywayError(failure) || !failure.transient)
          return options.onError?.(toKeyway(failure))
        // Rejected twice, or the provider is down: the session retries with backoff.
        return retryWhenReplaced(token)
      }
      return retry
    }
    if (isKeywayError(error) && error.transient) return retryWhenReplaced(sent)
    return options.onError?.(toKeyway(error))
  }

  return { headers, onError: handle }
}

function toKeyway(error: unknown): KeywayError {
  if (isKeywayError(error)) return error
  const status = httpStatus(error as Error)
  const message = `Electric answered ${status ?? 'with an error'}: ${(error as Error).message}`
  if (status === 403)
    return new KeywayError('ERR_REJECTED', message, { transient: false, cause: error })
  if (status !== undefined && status >= 400 && status < 500)
    return new KeywayError('ERR_CONFIG', message, { transient: false, cause: error })
  return new KeywayError('ERR_PROVIDER', message, { cause: error })
}
