import { type Connector, createSession, type Platform, type SessionOptions } from '@keyway/core'
import {
  createFakeConnector,
  createTestPlatform,
  type FakeConnector,
  type TestPlatform,
  type TokenMinter,
} from '@keyway/core/testing'
import { ChaosRecorder, tokenVerifier } from './invariants.js'

export interface FakeScenarioOptions {
  /** Lifetime of the provider's tokens, seconds. Default 3600. */
  lifetimeSec?: number
  /** How far the device's wall clock is off the provider's (true) clock. */
  wallOffsetMs?: number
  user?: string | null
  /** Platform parts to replace (storage, crossTab…). */
  platform?: Partial<Platform>
  session?: Partial<Omit<SessionOptions, 'connector' | 'platform'>>
  /** Share a test platform (two tabs on one device). */
  t?: TestPlatform
  /** Share the provider's signing key (two tabs, one account). */
  minter?: TokenMinter
  /** Runs before the session exists, so a fault can hit its very first call. */
  prepare?: (fake: FakeConnector, throwAlways: (value: unknown) => void) => void
}

export interface FakeScenario {
  t: TestPlatform
  fake: FakeConnector
  rec: ChaosRecorder
  session: ReturnType<typeof createSession>
  /** The provider's clock: true time, whatever the device's wall clock says. */
  providerNow(): number
  /** Verifies a token against the provider's key at the provider's clock. */
  verify(token: string): Promise<void>
  /** The user (or NTP) moves the device's wall clock; the provider's clock does not move. */
  jumpWall(ms: number): void
  /** Makes every connector call throw exactly `value` (any value, not only an Error). */
  throwAlways(value: unknown): void
  stopThrowing(): void
}

/**
 * One session over a scriptable provider (real ES256 tokens from `createFakeConnector`) on
 * the fake clock, with every call and snapshot recorded for the invariants.
 */
export async function fakeScenario(options: FakeScenarioOptions = {}): Promise<FakeScenario> {
  const t = options.t ?? createTestPlatform({ wallOffsetMs: options.wallOffsetMs })
  let offset = options.wallOffsetMs ?? 0
  const providerNow = () => t.clock.wallNow() - offset
  const fake = await createFakeConnector({
    lifetimeSec: options.lifetimeSec ?? 3600,
    now: providerNow,
    track: t.track,
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.minter ? { minter: options.minter } : {}),
  })
  // The fake connector tracks its own signing; the whole call is not tracked, so a call that
  // hangs cannot stall the fake clock.
  const rec = new ChaosRecorder({ clock: t.clock })
  let thrown: { value: unknown } | undefined
  const throwing: Connector = {
    id: fake.id,
    async fetchCredentials(o) {
      if (thrown) throw thrown.value
      return fake.fetchCredentials(o)
    },
    subscribe: (onChange) => fake.subscribe!(onChange),
    signOut: () => fake.signOut!(),
  }
  options.prepare?.(fake, (value) => {
    thrown = { value }
  })
  const session = createSession({
    connector: rec.instrument(throwing),
    platform: { ...t.platform, ...options.platform },
    ...options.session,
  })
  rec.observe(session)
  return {
    t,
    fake,
    rec,
    session,
    providerNow,
    verify: tokenVerifier(fake.minter.jwks, providerNow),
    jumpWall(ms) {
      t.clock.jumpWall(ms)
      offset += ms
    },
    throwAlways(value) {
      thrown = { value }
    },
    stopThrowing() {
      thrown = undefined
    },
  }
}

/** Advances the fake clock in steps, calling `each` after every step (an app using its token). */
export async function runFor(
  t: TestPlatform,
  totalMs: number,
  stepMs: number,
  each?: () => Promise<void> | void,
): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) {
    await t.clock.advance(Math.min(stepMs, totalMs - elapsed))
    await each?.()
  }
}
