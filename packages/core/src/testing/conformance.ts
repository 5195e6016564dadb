import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CONNECTOR_ID_PATTERN, type Connector } from '../contract.js'
import { isKeywayError, KeywayError } from '../errors.js'
import { decodeJwt } from '../jwt.js'
import { fetchOptions } from './fetch-options.js'
import { until } from './until.js'

/** What the conformance suite may do to the provider behind a connector. */
export interface ConformanceControls {
  /** Signs this user in at the provider; resolves once the provider SDK knows. */
  signIn(user: 'alice' | 'bob'): Promise<void>
  /** Signs out at the provider. */
  signOut(): Promise<void>
  /** Runs before a forced refresh, e.g. to let a provider's second-granular `iat` tick. */
  beforeForceRefresh?(): Promise<void>
  /** Makes the provider unreachable (`true`) or reachable again (`false`). */
  outage(down: boolean): Promise<void>
  /** Revokes or disables the signed-in user at the provider. */
  revoke(): Promise<void>
}

export interface ConformanceSubject {
  /** Shown in test names; say whether the provider is real or a double. */
  name: string
  /** A fresh connector over a provider with nobody signed in. */
  setup(): Promise<{ connector: Connector; controls: ConformanceControls }>
  teardown?(): Promise<void>
}

const waitFor = (check: () => boolean, what: string) =>
  until(check, what, { suite: 'conformance', tries: 200 })

function subOf(token: string): string | undefined {
  return decodeJwt(token).payload.sub
}

/**
 * The shared suite every connector package runs: the meanings of `null` and a throw,
 * force refresh, abort, subscription and the `id` pattern. Call it at the top level of a
 * Vitest test file.
 *
 * @example
 * ```ts
 * runConnectorConformance({
 *   name: 'http (loopback token endpoint)',
 *   async setup() {
 *     return { connector: httpConnector({ url }), controls: { signIn, signOut } }
 *   },
 * })
 * ```
 */
export function runConnectorConformance(subject: ConformanceSubject): void {
  describe(`connector conformance: ${subject.name}`, () => {
    let connector: Connector
    let controls: ConformanceControls
    const cleanups: Array<() => void> = []

    beforeEach(async () => {
      ;({ connector, controls } = await subject.setup())
    })
    afterEach(async () => {
      for (const c of cleanups.splice(0)) c()
      await controls?.outage(false)
      await subject.teardown?.()
    })

    it('has an id matching ^[a-z][a-z0-9-]*$', () => {
      expect(connector.id).toMatch(CONNECTOR_ID_PATTERN)
    })

    it('answers null (not a throw) when nobody is signed in', async () => {
      await expect(connector.fetchCredentials(fetchOptions())).resolves.toBeNull()
    })

    it('answers a decodable JWT with a sub once signed in', async () => {
      await controls.signIn('alice')
      const creds = await connector.fetchCredentials(fetchOptions())
      expect(creds).not.toBeNull()
      expect(typeof subOf(creds!.token)).toBe('string')
      expect(subOf(creds!.token)!.length).toBeGreaterThan(0)
      if (creds!.expiresAt !== undefined) expect(creds!.expiresAt).toBeGreaterThan(0)
    })

    it('forceRefresh bypasses the provider cache and yields a newer token', async () => {
      await controls.signIn('alice')
      const first = await connector.fetchCredentials(fetchOptions())
      await controls.beforeForceRefresh?.()
      const forced = await connector.fetchCredentials(
        fetchOptions({ forceRefresh: true, reason: 'manual' }),
      )
      expect(forced!.token).not.toBe(first!.token)
      expect(subOf(forced!.token)).toBe(subOf(first!.token))
      const iat = (t: string) => decodeJwt(t).payload.iat ?? 0
      expect(iat(forced!.token)).toBeGreaterThanOrEqual(iat(first!.token))
    })

    it('rejects promptly when the signal is already aborted', async () => {
      await controls.signIn('alice')
      const controller = new AbortController()
      controller.abort()
      await expect(
        connector.fetchCredentials(fetchOptions({ signal: controller.signal })),
      ).rejects.toSatisfy(
        (e: unknown) => isKeywayError(e, 'ERR_ABORTED') || (e as Error)?.name === 'AbortError',
      )
    })

    it('subscribe fires on sign-in, sign-out and user switch; null after sign-out', async () => {
      if (!connector.subscribe) {
        // A connector without subscribe must still answer null after sign-out.
        await controls.signIn('alice')
        await controls.signOut()
        await expect(connector.fetchCredentials(fetchOptions())).resolves.toBeNull()
        return
      }
      let changes = 0
      cleanups.push(connector.subscribe(() => changes++))
      await controls.signIn('alice')
      await waitFor(() => changes >= 1, 'a change after sign-in')
      const alice = await connector.fetchCredentials(fetchOptions())
      const afterSignIn = changes
      await controls.signOut()
      await waitFor(() => changes > afterSignIn, 'a change after sign-out')
      await expect(
        connector.fetchCredentials(fetchOptions({ reason: 'changed' })),
      ).resolves.toBeNull()
      const afterSignOut = changes
      await controls.signIn('bob')
      await waitFor(() => changes > afterSignOut, 'a change after switching to another user')
      const bob = await connector.fetchCredentials(fetchOptions({ reason: 'changed' }))
      expect(subOf(bob!.token)).not.toBe(subOf(alice!.token))
    })

    it('throws a transient error during a provider outage', async () => {
      await controls.signIn('alice')
      await connector.fetchCredentials(fetchOptions())
      await controls.outage(true)
      await controls.beforeForceRefresh?.()
      // As the session does: an SDK that keeps retrying inside one call is cut off by the
      // signal, whose reason is a transient ERR_TIMEOUT.
      const controller = new AbortController()
      const timer = setTimeout(
        () =>
          controller.abort(new KeywayError('ERR_TIMEOUT', 'The connector did not answer in time')),
        5_000,
      )
      const error = await connector
        .fetchCredentials(
          fetchOptions({ forceRefresh: true, reason: 'proactive', signal: controller.signal }),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        )
        .finally(() => clearTimeout(timer))
      expect(error).toBeDefined()
      expect(isKeywayError(error) ? error.transient : true).toBe(true)
    })

    it('throws a final KeywayError (or answers null) once the account is revoked', async () => {
      await controls.signIn('alice')
      await connector.fetchCredentials(fetchOptions())
      await controls.revoke()
      await controls.beforeForceRefresh?.()
      const error = await connector
        .fetchCredentials(fetchOptions({ forceRefresh: true, reason: 'proactive' }))
        .then(
          (v) => v,
          (e: unknown) => e,
        )
      // A provider may also answer "nobody is signed in" for a revoked session: both end the session.
      if (error === null) return
      expect(isKeywayError(error)).toBe(true)
      expect((error as { transient: boolean }).transient).toBe(false)
    })
  })
}
