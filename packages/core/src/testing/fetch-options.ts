import type { FetchCredentialsOptions } from '../contract.js'

/**
 * Options for calling a connector's `fetchCredentials` by hand in a test: an unforced
 * `initial` fetch with a fresh signal, unless `overrides` say otherwise.
 *
 * @example
 * ```ts
 * await connector.fetchCredentials(fetchOptions())
 * await connector.fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
 * ```
 */
export function fetchOptions(
  overrides: Partial<FetchCredentialsOptions> = {},
): FetchCredentialsOptions {
  return {
    forceRefresh: false,
    reason: 'initial',
    signal: new AbortController().signal,
    ...overrides,
  }
}
