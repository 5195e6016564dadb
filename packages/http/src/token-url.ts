import { KeywayError } from '@keyway/core'

/**
 * Resolves the token endpoint the way `fetch` will: against the page's origin in a browser,
 * as is elsewhere. A relative URL in Node or React Native has no origin to resolve against, so
 * every call would fail the same way: that is a setup mistake (final `ERR_CONFIG`), not a
 * network failure to retry with backoff forever.
 */
export function tokenUrl(url: string | URL): URL {
  const base = (globalThis as { location?: { href?: string } }).location?.href
  try {
    return new URL(url, base)
  } catch (cause) {
    throw new KeywayError(
      'ERR_CONFIG',
      `httpConnector: the token URL "${String(url)}" is not a valid URL. A relative URL needs a page origin to resolve against (a browser); in Node or React Native pass an absolute URL such as "https://api.example.com/token".`,
      { cause },
    )
  }
}
