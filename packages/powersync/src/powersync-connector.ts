import { type Credentials, decodeJwt, isKeywayError, KeywayError, type Session } from '@keyway/core'
import type { PowerSyncBackendConnector, PowerSyncCredentials } from '@powersync/common'
import { nextCredentials, PREFETCH_WINDOW_MS } from './prefetch.js'

/** What PowerSync hands to `uploadData` (its database), whichever SDK version is installed. */
export type PowerSyncDatabase = Parameters<PowerSyncBackendConnector['uploadData']>[0]

export interface PowerSyncConnectorOptions {
  /**
   * The PowerSync Service URL. When left out, the `endpoint` of the session's credentials
   * (a token endpoint that answers PowerSync style) is used. Trailing slashes are removed:
   * PowerSync refuses them.
   */
  endpoint?: string
  /** Sends local changes to your backend: PowerSync's own `uploadData`, passed through as is. */
  uploadData: (database: PowerSyncDatabase) => Promise<void>
}

/**
 * A `PowerSyncBackendConnector` whose credentials come from a keyway session.
 *
 * - `fetchCredentials()` answers `{ endpoint, token, expiresAt }` from the session's cache;
 *   `expiresAt` is the session's local-clock expiry of that token.
 * - PowerSync asks again only when it cannot use the token it has (a 401, an expired or
 *   soon-expiring token, a failed socket). When the session would hand back the very token
 *   PowerSync already has, the connector reports it rejected (`session.reportRejected`),
 *   which force-refreshes it once. A token the session has already replaced is just
 *   replaced: no extra call.
 * - PowerSync's prefetch (30 s of token life left, its stream still open) for a token the
 *   session keeps is answered with the session's next token, at its own refresh: with tokens
 *   of 30 s or less, PowerSync prefetches on every connection.
 * - `null` when nobody is signed in. A transient provider fault never reaches PowerSync while
 *   the current token is still valid: it gets that token. Otherwise it gets the
 *   `KeywayError`, and PowerSync retries after its retry delay.
 * - Concurrent calls share one answer.
 *
 * @example
 * ```ts
 * import { powerSyncConnector } from '@keyway/powersync'
 *
 * await db.connect(
 *   powerSyncConnector(session, {
 *     endpoint: 'https://example.powersync.journeyapps.com',
 *     uploadData: async (database) => {
 *       const batch = await database.getCrudBatch()
 *       if (!batch) return
 *       await api('/api/upload', { method: 'POST', body: JSON.stringify(batch.crud) })
 *       await batch.complete()
 *     },
 *   }),
 * )
 * ```
 */
export function powerSyncConnector(
  session: Session,
  options: PowerSyncConnectorOptions,
): PowerSyncBackendConnector {
  const endpoint = options.endpoint === undefined ? undefined : trimEndpoint(options.endpoint)
  /** The token this connector last gave PowerSync. */
  let handedOut: string | undefined
  /** PowerSync calls `invalidateCredentials` (recent SDKs); it did since the last answer. */
  let invalidationSeen = false
  /**
   * PowerSync's last `invalidateCredentials` not yet answered: the token it held then (a later
   * token makes it stale), and when (epoch ms; an ask right after it is its prefetch).
   */
  let invalidated: { token: string | undefined; at: number } | undefined
  let inflight: Promise<PowerSyncCredentials | null> | undefined
  /** A prefetch waiting for the session's next token; asks that need one now do not wait. */
  let prefetching: Promise<PowerSyncCredentials | null> | undefined

  /** A token whose replacement failed (provider down): the next ask retries it. */
  let replacementFailed: string | undefined

  /**
   * How much life a token handed to PowerSync must have left. The sync client asks again as
   * soon as the service reports 30 s or less (`token_expires_in`); asking the session for more
   * than that makes it refresh first, so that ask finds a new token instead of reporting the
   * current one. Capped at half the token's lifetime (learnt from the first token), so short
   * tokens do not refresh on every ask.
   */
  let validityMs: number | undefined

  async function answer(prefetch: boolean): Promise<PowerSyncCredentials | null> {
    let credentials = await session.getCredentials(
      validityMs === undefined ? undefined : { minValidityMs: validityMs },
    )
    if (credentials && validityMs === undefined) {
      const { iat, exp } = decodeJwt(credentials.token).payload
      if (iat !== undefined && exp !== undefined)
        validityMs = Math.min(PREFETCH_VALIDITY_MS, ((exp - iat) * 1000) / 2)
    }
    const token = credentials?.token
    // SDKs that call `invalidateCredentials` do so before every ask that means "I cannot use
    // this token" (a 401, an expiry, a prefetch). Without it, an ask for the token just handed
    // out is the client asking again after its prefetch, which it does not keep: same token.
    const unusable = !invalidationSeen || invalidated?.token === handedOut
    invalidated = undefined
    if (token !== undefined && token === handedOut && unusable && prefetch) {
      // The token is still good and the stream that holds it still open: no rejection.
      credentials = await nextCredentials(session, token)
    } else if (token !== undefined && token === handedOut && unusable) {
      // PowerSync is back for the token it already holds: it could not use it. Report it
      // once; if the replacement failed, retry the replacement rather than reporting the
      // same token again (two rejections mean "refused for good" to the session).
      try {
        credentials =
          replacementFailed === token
            ? await session.refresh()
            : await session.reportRejected(token)
        replacementFailed = undefined
      } catch (error) {
        // The provider could not answer (or the call budget is spent). A still-valid token
        // beats none; when there is none, the session throws and PowerSync retries later.
        if (!isKeywayError(error) || !error.transient) throw error
        replacementFailed = token
        credentials = await session.getCredentials()
      }
    }
    if (credentials === null) {
      handedOut = undefined
      return null
    }
    handedOut = credentials.token
    return toPowerSync(credentials)
  }

  function toPowerSync(credentials: Credentials): PowerSyncCredentials {
    const url = endpoint ?? (credentials.endpoint && trimEndpoint(credentials.endpoint))
    if (!url)
      throw new KeywayError(
        'ERR_CONFIG',
        'No PowerSync endpoint: pass powerSyncConnector(session, { endpoint }) or return `endpoint` from the connector',
        { transient: false },
      )
    return { endpoint: url, token: credentials.token, expiresAt: new Date(expiryOf(credentials)) }
  }

  /**
   * The session's own expiry for this token: skew-corrected and on the local clock, which is
   * the clock PowerSync compares `expiresAt` with. Read in the same turn as the answer; if the
   * session has already moved to another user, the JWT's `exp` stands in.
   */
  function expiryOf(credentials: Credentials): number {
    if (credentials.expiresAt !== undefined) return credentials.expiresAt
    const { payload } = decodeJwt(credentials.token)
    const snapshot = session.getSnapshot()
    if (snapshot.expiresAt !== null && snapshot.userId === (payload.sub ?? null))
      return snapshot.expiresAt
    // A token without `exp` is valid until rejected: PowerSync takes a far-off date as "keep it".
    return payload.exp === undefined ? MAX_DATE_MS : payload.exp * 1000
  }

  const connector: PowerSyncBackendConnector & { invalidateCredentials(): void } = {
    fetchCredentials() {
      if (invalidated && Date.now() - invalidated.at <= PREFETCH_WINDOW_MS) {
        // A prefetch already waiting answers this one too (PowerSync prefetches again on
        // every keepalive): the invalidation is answered.
        if (prefetching) invalidated = undefined
        prefetching ??= answer(true).finally(() => {
          prefetching = undefined
        })
        return prefetching
      }
      inflight ??= answer(false).finally(() => {
        inflight = undefined
      })
      return inflight
    },
    uploadData: (database) => options.uploadData(database),
    // Not in @powersync/common's typed interface, but called by its sync client: PowerSync
    // could not use the credentials it holds.
    invalidateCredentials() {
      invalidationSeen = true
      invalidated = { token: handedOut, at: Date.now() }
    },
  }
  return connector
}

/** PowerSync's prefetch point (30 s of token life left) plus 5 s. */
const PREFETCH_VALIDITY_MS = 35_000

/** The largest time a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15

function trimEndpoint(value: string): string {
  const trimmed = value.replace(/\/+$/, '')
  try {
    new URL(trimmed)
  } catch (cause) {
    throw new KeywayError('ERR_CONFIG', `PowerSync endpoint is not a URL: ${value}`, {
      transient: false,
      cause,
    })
  }
  return trimmed
}
