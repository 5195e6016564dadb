import type { Auth0Client } from '@auth0/auth0-spa-js'
import { SIGNED_OUT_ERRORS } from './auth0-errors.js'

/** auth0-spa-js's `auth0.<clientId>.is.authenticated` cookie (and its `_legacy_` twin). */
const restorable = () =>
  typeof document !== 'undefined' &&
  /(?:^|;\s*)(?:_legacy_)?auth0\.[^=;]*is\.authenticated=/.test(document.cookie)

/**
 * The SDK's session restore on a page load, with its error kept. `checkSession()` swallows
 * every failure, so a reload during an outage would read as signed out. While the SDK's
 * is.authenticated cookie says there is a session to restore (the SDK removes it on every
 * sign-out: `logout()`, a `login_required` answer), this makes checkSession's call itself and
 * rethrows its error, except "signed out" and `missing_refresh_token` (a memory cache has
 * nothing to restore from). Without the cookie it is `checkSession()`.
 *
 * @example
 * ```ts
 * await restoreSession(auth0) // rejects with the SDK's error when Auth0 cannot be reached
 * ```
 */
export async function restoreSession(
  client: Pick<Auth0Client, 'checkSession' | 'getTokenSilently'>,
): Promise<void> {
  if (!restorable()) return client.checkSession().catch(() => undefined)
  try {
    await client.getTokenSilently()
  } catch (error) {
    const code = (error as { error?: unknown })?.error
    if (code === 'missing_refresh_token' || SIGNED_OUT_ERRORS.has(code as string)) return
    throw error
  }
}
