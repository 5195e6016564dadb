import { describe, expect, it } from 'vitest'
import type { Connector } from '../contract.js'
import { isKeywayError, type KeywayErrorCode } from '../errors.js'
import { createSession } from '../session/create-session.js'
import { createTestPlatform } from './test-platform.js'
import { until } from './until.js'

/** One signed-in provider client, as the survival suite drives it. */
export interface SurvivalClient {
  /** A connector over this client. */
  connector: Connector
  /** Signs `user` in on this client; resolves with the new user's `sub`. */
  switchTo(user: string): Promise<string>
  /** Revokes the signed-in user's grant or session at the provider. */
  revoke(): Promise<void>
}

export interface SurvivalSubject {
  /** Shown in the describe name; say whether the provider is real or a double. */
  name: string
  /** A provider client with `user` signed in. */
  signedIn(user: string): Promise<SurvivalClient>
  /** Makes the provider unreachable (`true`) or reachable again. */
  outage(down: boolean): Promise<void> | void
  /** The provider's count of token requests, to prove that nothing loops after a revocation. */
  providerCalls?(): number
  /** The error code a refresh during an outage must carry. Default `ERR_NETWORK`. */
  outageCode?: KeywayErrorCode
}

/**
 * The three things a Session on any connector must survive, on the fake clock: an outage
 * (token kept, status unchanged), a revocation (`error` or `signedOut`, and no calls while
 * 30 minutes pass) and a user switch (new `userId`, the old token never handed out again; told
 * by `subscribe`, or, for a connector without one, by the app calling `session.refresh()`).
 * Call it at the top level of a Vitest file, next to `runConnectorConformance`.
 *
 * @example
 * ```ts
 * runSessionSurvival({
 *   name: 'oidc (real oidc-provider)',
 *   signedIn: async (user) => { … return { connector, switchTo, revoke } },
 *   outage: (down) => server.outage(down),
 *   providerCalls: () => server.state.tokenRequests,
 * })
 * ```
 */
export function runSessionSurvival(subject: SurvivalSubject): void {
  const sessionOn = (connector: Connector) => {
    const t = createTestPlatform({ startWall: Date.now() })
    return { t, session: createSession({ connector, platform: t.platform }) }
  }

  describe(`a Session survives: ${subject.name}`, () => {
    it('an outage: token kept, status unchanged', async () => {
      const client = await subject.signedIn('outage')
      const { session } = sessionOn(client.connector)
      const token = await session.getToken()
      await subject.outage(true)
      try {
        const error = await session.refresh().catch((e: unknown) => e)
        expect(isKeywayError(error, subject.outageCode ?? 'ERR_NETWORK')).toBe(true)
        expect(session.getSnapshot().status).toBe('authenticated')
        expect(await session.getToken()).toBe(token)
      } finally {
        await subject.outage(false)
        session.dispose()
      }
    })

    it('a revocation: error or signedOut, and no loop while 30 min pass', async () => {
      const client = await subject.signedIn('revoked')
      const { t, session } = sessionOn(client.connector)
      await session.getToken()
      await client.revoke()
      await session.refresh().catch(() => undefined)
      expect(['error', 'signedOut']).toContain(session.getSnapshot().status)
      const fetches = session.getSnapshot().counters.fetches
      const calls = subject.providerCalls?.()
      await t.clock.advance(30 * 60_000)
      expect(session.getSnapshot().counters.fetches).toBe(fetches)
      if (calls !== undefined) expect(subject.providerCalls!()).toBe(calls)
      session.dispose()
    })

    it('a user switch: new userId, the old token never handed out again', async () => {
      const client = await subject.signedIn('first')
      const { session } = sessionOn(client.connector)
      const first = await session.getToken()
      const second = await client.switchTo('second')
      // A connector without `subscribe` cannot tell the session: the app does, as its docs say.
      if (!client.connector.subscribe) await session.refresh()
      await until(() => session.getSnapshot().userId === second, 'the switch', {
        suite: 'session survival',
        tries: 500,
      })
      for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(first)
      session.dispose()
    })
  })
}
