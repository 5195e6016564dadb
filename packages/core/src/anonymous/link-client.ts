import { KeywayError, type KeywayErrorCode } from '../errors.js'
import type { UpgradeOutcome, UpgradeResult } from './upgrade-store.js'

/**
 * A refused or failed upgrade step. `code` is `ERR_LINK` (or `ERR_NETWORK` when the link
 * endpoint could not be reached); `reason` is the server's answer (`already_linked`,
 * `replayed`, `pth_mismatch`, `nonce_expired`, …) or the client's (`no_guest`,
 * `not_a_provider_token`, `bad_response`); `status` is the HTTP status, when there was one.
 *
 * @example
 * ```ts
 * try {
 *   await upgrade.run(providerToken)
 * } catch (e) {
 *   if (e instanceof UpgradeError && e.reason === 'already_linked') await upgrade.abandon()
 * }
 * ```
 */
export class UpgradeError extends KeywayError {
  readonly reason: string
  readonly status: number | undefined

  constructor(
    code: KeywayErrorCode,
    reason: string,
    message: string,
    options: { status?: number; transient?: boolean; cause?: unknown; response?: Response } = {},
  ) {
    super(code, message, options)
    this.reason = reason
    this.status = options.status
  }
}

const OUTCOMES: ReadonlySet<string> = new Set<UpgradeOutcome>(['promoted', 'linked_existing'])

/** The two endpoints of `@keyway/server`'s `createLinkHandler`, seen from the client. */
export interface LinkClient {
  /** The proof's `aud`: the absolute URL of the link endpoint. */
  readonly audience: string
  /** `POST <linkUrl>/challenge`: a single-use nonce. */
  challenge(): Promise<string>
  /** `POST <linkUrl>/link`: links the guest named by `proof` to the account of `providerToken`. */
  link(providerToken: string, proof: string): Promise<UpgradeResult>
}

function absolute(url: string): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href
  try {
    return new URL(url, base).href
  } catch (cause) {
    throw new KeywayError(
      'ERR_CONFIG',
      'linkUrl is relative and there is no page location: pass an absolute linkUrl or linkAudience',
      { transient: false, cause },
    )
  }
}

export function linkClient(options: {
  linkUrl: string
  linkAudience?: string
  fetch?: typeof fetch
}): LinkClient {
  const base = options.linkUrl.replace(/\/+$/, '')
  // Looked up per call, so a test or polyfill that replaces fetch later is honoured.
  const doFetch: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init)

  async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
    let response: Response
    try {
      response = await doFetch(`${base}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    } catch (cause) {
      throw new UpgradeError('ERR_NETWORK', 'network', 'The link endpoint could not be reached', {
        cause,
      })
    }
    const json = (await response.json().catch(() => undefined)) as
      | Record<string, unknown>
      | undefined
    if (!response.ok) {
      const reason = typeof json?.error === 'string' ? json.error : `http_${response.status}`
      throw new UpgradeError('ERR_LINK', reason, `The link endpoint refused: ${reason}`, {
        status: response.status,
        transient: response.status >= 500 || response.status === 429,
        response,
      })
    }
    if (!json) throw badResponse(`${path} answered no JSON`, response)
    return json
  }

  return {
    audience: options.linkAudience ?? absolute(`${base}/link`),
    async challenge() {
      const { nonce } = await post('challenge', {})
      if (typeof nonce !== 'string' || nonce === '') throw badResponse('challenge without nonce')
      return nonce
    },
    async link(providerToken, proof) {
      const answer = await post('link', { providerToken, proof })
      const { anonymousId, userId, outcome } = answer
      if (
        typeof anonymousId !== 'string' ||
        typeof userId !== 'string' ||
        typeof outcome !== 'string' ||
        !OUTCOMES.has(outcome)
      )
        throw badResponse('link answered no { anonymousId, userId, outcome }')
      return { from: anonymousId, to: userId, outcome: outcome as UpgradeOutcome }
    },
  }
}

function badResponse(what: string, response?: Response): UpgradeError {
  return new UpgradeError('ERR_LINK', 'bad_response', `Unexpected link answer: ${what}`, {
    transient: true,
    ...(response ? { response, status: response.status } : {}),
  })
}
