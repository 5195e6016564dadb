/**
 * The wiring every connector test over a provider double shares: the conformance and
 * session-survival suites of `@keyway/core/testing` driven by one "device" factory (a fresh
 * provider client, as a new browser would have), and the check of an error mapper against a
 * table of provider failures.
 */
import { type Connector, decodeJwt, type KeywayError, type KeywayErrorCode } from '@keyway/core'
import { fetchOptions, runConnectorConformance, runSessionSurvival } from '@keyway/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import type { ApiDouble } from './api-double.js'

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
  /** Claims the provider's tokens carry for the user `sub` (checked on a forced refresh). */
  claims?(sub: string): Record<string, unknown>
}

/**
 * Runs `runConnectorConformance` and `runSessionSurvival` over `device()`, and checks that
 * the connector answers from the SDK's cache unless forced, and that a forced refresh is
 * exactly one token request at the provider.
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
  it(`${suites.name}: the SDK's cache unless forced; forceRefresh is one provider call`, async () => {
    const { connector, signInAs } = await suites.device()
    const sub = await signInAs('alice')
    const first = await connector.fetchCredentials(fetchOptions())
    const calls = suites.providerCalls()
    const again = await connector.fetchCredentials(fetchOptions())
    expect(again!.token).toBe(first!.token)
    expect(suites.providerCalls()).toBe(calls)
    const forced = await connector.fetchCredentials(fetchOptions({ forceRefresh: true }))
    expect(suites.providerCalls()).toBe(calls + 1)
    expect(forced!.token).not.toBe(first!.token)
    expect(decodeJwt(forced!.token).payload).toMatchObject({ sub, ...suites.claims?.(sub) })
  })
}

/** Waits (10 ms turns, 1 s at most) until `check()` holds: SDK events arrive asynchronously. */
export async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
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

/**
 * The doubles a test file started, each closed after its test; `latest` is the one the
 * current device talks to, and `outage` makes it unreachable.
 *
 * @example
 * ```ts
 * const doubles = trackDoubles<Awaited<ReturnType<typeof startFooDouble>>>()
 * const double = doubles.add(await startFooDouble())
 * ```
 */
export function trackDoubles<T extends { api: ApiDouble }>() {
  const started: T[] = []
  afterEach(async () => {
    for (const double of started.splice(0)) await double.api.close()
  })
  return {
    add(double: T): T {
      started.push(double)
      return double
    },
    get latest(): T | undefined {
      return started.at(-1)
    },
    outage: (down: boolean) => started.at(-1)?.api.mode(down ? 'down' : 'ok'),
  }
}
