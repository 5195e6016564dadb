/**
 * Two cases every connector over an SDK that talks to this oidc-provider server shares: the
 * SDK's cache answers an unforced fetch without a request and a forced one is exactly one
 * refresh-token grant; a revoked grant is a final `ERR_REVOKED`. Used by the Keycloak and
 * Entra ID connectors' tests.
 */
import { type Connector, isKeywayError } from '@keyway/core'
import { fetchOptions } from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'
import type { OidcServer, SurvivalClientOf } from './oidc-server.js'

export function runGrantCases<C extends SurvivalClientOf>(subject: {
  name: string
  server: () => OidcServer
  newClient: () => C
  connectorOf: (client: C) => Connector
}): void {
  describe(`refresh-token grants: ${subject.name}`, () => {
    it("an unforced fetch is the SDK's cached token (no request); forced is one refresh-token grant", async () => {
      const c = subject.newClient()
      await c.signIn('cache')
      const connector = subject.connectorOf(c)
      const first = await connector.fetchCredentials(fetchOptions())
      const requests = subject.server().state.tokenRequests
      expect((await connector.fetchCredentials(fetchOptions()))!.token).toBe(first!.token)
      expect(subject.server().state.tokenRequests).toBe(requests)
      await new Promise((r) => setTimeout(r, 1_050)) // iat has one-second resolution
      const forced = await connector.fetchCredentials(
        fetchOptions({ forceRefresh: true, reason: 'manual' }),
      )
      expect(forced!.token).not.toBe(first!.token)
      expect(subject.server().state.tokenRequests).toBe(requests + 1)
    })

    it('a revoked grant: the refresh gets invalid_grant → final ERR_REVOKED', async () => {
      const c = subject.newClient()
      await c.signIn('gone')
      await subject.server().revoke(c.userId('gone'))
      const error = await subject
        .connectorOf(c)
        .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'manual' }))
        .catch((e: unknown) => e)
      expect(isKeywayError(error, 'ERR_REVOKED')).toBe(true)
      expect((error as { transient: boolean }).transient).toBe(false)
    })
  })
}
