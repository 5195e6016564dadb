import { type Connector, KeywayError } from '@keyway/core'
import { networkFailure } from './network-failure.js'
import { parseRetryAfter } from './retry-after.js'
import { readTokenBody } from './token-body.js'
import { tokenUrl } from './token-url.js'

export interface HttpConnectorOptions {
  /** The app's token endpoint. It answers `{ token, expiresAt?, endpoint? }`. */
  url: string | URL
  /** Connector id (storage and tab key). Default `'http'`. */
  id?: string
  /** The fetch to use (a cookie-carrying one in Node, a mock-free test server…). */
  fetch?: typeof fetch
  /** Extra request headers, or a function giving them per call (e.g. a CSRF token). */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>)
  /** `credentials` mode of the request. Default `'include'`, so the app's session cookie goes along. */
  credentials?: RequestCredentials
}

/**
 * A connector for the app's own token endpoint: the "custom JWT" path of PowerSync, Neon,
 * Jazz and Realm. POSTs `{ forceRefresh, reason }` and reads `{ token, expiresAt?, endpoint? }`.
 *
 * | endpoint answers | connector |
 * |---|---|
 * | 200 with a token | credentials |
 * | 401 / 403 | `null`: nobody is signed in |
 * | 429 | transient `ERR_PROVIDER` with `retryAfterMs` from `Retry-After` |
 * | 5xx, network error, a body cut off or not JSON | transient (`ERR_PROVIDER` / `ERR_NETWORK`) |
 * | other 4xx, a JSON body without a token | final `ERR_PROVIDER` |
 * | a relative `url` outside a browser | final `ERR_CONFIG` |
 *
 * @example
 * ```ts
 * const session = createSession({ connector: httpConnector({ url: '/api/powersync/token' }) })
 * ```
 */
export const httpConnector = (options: HttpConnectorOptions) =>
  ({
    id: options.id ?? 'http',
    async fetchCredentials({ forceRefresh, reason, signal }) {
      const doFetch = options.fetch ?? globalThis.fetch
      const url = tokenUrl(options.url)
      const extra =
        typeof options.headers === 'function' ? await options.headers() : options.headers
      const headers = new Headers(extra)
      headers.set('content-type', 'application/json')
      headers.set('accept', 'application/json')
      let response: Response
      try {
        response = await doFetch(url.href, {
          method: 'POST',
          headers,
          body: JSON.stringify({ forceRefresh, reason }),
          credentials: options.credentials ?? 'include',
          signal,
        })
      } catch (cause) {
        throw networkFailure(signal, 'The token endpoint could not be reached', cause)
      }
      if (response.status === 401 || response.status === 403) return null
      if (!response.ok) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
        const transient =
          response.status === 429 || response.status === 408 || response.status >= 500
        throw new KeywayError('ERR_PROVIDER', `The token endpoint answered ${response.status}`, {
          transient,
          response,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        })
      }
      const body = await readTokenBody(response, signal)
      if (typeof body.token !== 'string' || body.token.length === 0)
        throw new KeywayError('ERR_PROVIDER', 'The token endpoint answered without a token', {
          transient: false,
          response,
        })
      return {
        token: body.token,
        ...(typeof body.expiresAt === 'number' ? { expiresAt: body.expiresAt } : {}),
        ...(typeof body.endpoint === 'string' ? { endpoint: body.endpoint } : {}),
      }
    },
  }) satisfies Connector
