/**
 * The wiring every connector test over a provider double shares: the conformance and
 * session-survival suites of `@keyway/core/testing` driven by one "device" factory (a fresh
 * provider client, as a new browser would have), and the check of an error mapper against a
 * table of provider failures.
 */
import type { Connector, KeywayError, KeywayErrorCode } from '@keyway/core'
import { runConnectorConformance, runSessionSurvival } from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'

/** One provider client with the app's usual moves on it. */
export interface ProviderDevice {
  connector: Connector
  /** Signs `user` in the way the app would; resolves with the `sub` of their tokens. */
  signInAs(user: string): Promise<string>
  signOut(): Promise<unknown>
  /** Revokes the signed-in user's session at the provider. */
  revoke(): Promise<void>
}

export interface ProviderSuites {
  /** Shown in test names: say "double" when the provider is one. */
  name: string
  /** A new device with nobody signed in. */
  device(): Promise<ProviderDevice>
  /** Makes the latest device's provider unreachable (`true`) or reachable again. */
  outage(down: boolean): void | Promise<void>
  /** The latest device's provider's count of token requests. */
  providerCalls(): number
}

/**
 * Runs `runConnectorConformance` and `runSessionSurvival` over `device()`.
 *
 * @example
 * ```ts
 * runProviderSuites({ name: 'foo (Foo API double)', device, outage, providerCalls })
 * ```
 */
export function runProviderSuites(suites: ProviderSuites): void {
  runConnectorConformance({
    name: suites.name,
    async setup() {
      const device = await suites.device()
      return {
        connector: device.connector,
        controls: {
          signIn: async (user) => void (await device.signInAs(user)),
          signOut: async () => void (await device.signOut()),
          outage: async (down) => suites.outage(down),
          revoke: () => device.revoke(),
        },
      }
    },
  })
  runSessionSurvival({
    name: suites.name,
    async signedIn(user) {
      const device = await suites.device()
      await device.signInAs(user)
      return {
        connector: device.connector,
        switchTo: async (next) => {
          await device.signOut()
          return device.signInAs(next)
        },
        revoke: () => device.revoke(),
      }
    },
    outage: (down) => suites.outage(down),
    providerCalls: () => suites.providerCalls(),
  })
}

/**
 * Checks an error mapper over a table of what the provider's SDK throws:
 * `[failure, code, transient]` rows, the original always kept in `cause`.
 *
 * @example
 * ```ts
 * checkErrorTable('toKeywayFooError', toKeywayFooError, [[new TypeError('x'), 'ERR_NETWORK', true]])
 * ```
 */
export function checkErrorTable(
  name: string,
  map: (failure: unknown) => KeywayError,
  rows: ReadonlyArray<readonly [unknown, KeywayErrorCode, boolean]>,
): void {
  describe(name, () => {
    it.each(rows)('%o → %s (transient %s), original in cause', (failure, code, transient) => {
      const mapped = map(failure)
      expect(mapped.code).toBe(code)
      expect(mapped.transient).toBe(transient)
      expect(mapped.cause).toBe(failure)
    })
  })
}
