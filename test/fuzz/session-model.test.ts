import {
  type Connector,
  type Credentials,
  createSession,
  type FetchCredentialsOptions,
  isKeywayError,
  KeywayError,
  type Session,
} from '@keyway/core'
import { stringToBase64Url } from '@keyway/core/anonymous'
import {
  createMemoryCrossTab,
  createMemoryStorage,
  createTestPlatform,
  type TestPlatform,
} from '@keyway/core/testing'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { FUZZ_RUNS } from './runs.js'

// A model-based property test of the session engine on the fake clock (fast-check commands).
// Time advances; the connector answers every way a provider can (credentials of any lifetime,
// the same token again, null, transient and final errors, Retry-After, late answers minted at
// the call's start, hangs past the timeout); callers ask concurrently (getToken with and
// without minValidityMs, reportRejected bursts, refresh, signOut); the host goes offline,
// background and wakes; the wall clock jumps; the provider switches user; a second tab shares
// storage and the lock. After every step the engine's promises are checked against the
// issue's invariants, on the true time the model keeps (the issuer's clock).

/**
 * Sequences per property (one tab; two tabs run half as many): 2,000 in `pnpm test` (about
 * 3 s), FUZZ_RUNS (100,000) in `pnpm fuzz` (about 2.5 min).
 */
const MODEL_RUNS = process.env.FUZZ_RUNS ? FUZZ_RUNS : 2_000
// `pnpm test` replays one fixed seed, so CI is repeatable; `pnpm fuzz` (FUZZ_RUNS) draws new
// sequences every run. FUZZ_SEED replays any seed a run printed (with FUZZ_PATH and FUZZ_REPLAY,
// the printed path and replayPath, it goes straight to the shrunk counterexample; pick the
// property with -t).
const SEED = process.env.FUZZ_SEED
  ? {
      seed: Number(process.env.FUZZ_SEED),
      ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH, endOnFailure: true } : {}),
    }
  : process.env.FUZZ_RUNS
    ? {}
    : { seed: 20261128 }
const COMMANDS = {
  maxCommands: 40,
  ...(process.env.FUZZ_REPLAY ? { replayPath: process.env.FUZZ_REPLAY } : {}),
}
const LIFETIMES_S = [2, 6, 20, 60, 3600]
const FLOOR_MS = 5_000
const MIN_GAP_MS = 1_000
const BUDGET = 6

type Kind = 'ok' | 'late' | 'same' | 'null' | 'transient' | 'retryAfter' | 'final'

interface Call {
  tab: number
  reason: string
  at: number
  /** True time of the answer; `undefined` while pending. */
  answeredAt?: number
  failed?: boolean
  retryAfterMs?: number
  options: FetchCredentialsOptions
  resolve: (c: Credentials | null) => void
  reject: (e: unknown) => void
  minted?: string
}

/** The world the sessions live in: the provider, the true clock, and what the model expects. */
class World {
  readonly t: TestPlatform
  /** The monotonic clock at the start: true time is measured from it. */
  readonly startMono: number
  user: string | null = 'user_a'
  auto = false
  lifetimeS = 60
  readonly calls: Call[] = []
  readonly exp = new Map<string, number>()
  readonly life = new Map<string, number>()
  readonly sessions: Session[] = []
  readonly subscribers = new Set<(userId?: string | null) => void>()
  online = true
  /** Things that allow a sign-out or a final error to be seen. */
  signedOutAllowed = false
  finalAllowed = false
  readonly errors: unknown[] = []
  serial = 0
  readonly startedAt: number

  constructor() {
    // All in memory: a setImmediate turn lets every callback run, without setTimeout's 1 ms.
    this.t = createTestPlatform({
      startWall: Date.UTC(2026, 5, 1),
      yieldTurn: () => new Promise((resolve) => setImmediate(resolve)),
    })
    this.startedAt = this.t.clock.wallNow()
    this.startMono = this.t.clock.now()
  }

  /** True time (the issuer's clock), ms: moves with the fake clock, not with wall jumps. */
  get trueNow(): number {
    return this.startedAt + this.t.clock.now() - this.startMono
  }

  mint(lifetimeS: number, iatMs = this.trueNow): string {
    const iat = Math.floor(iatMs / 1000)
    const header = stringToBase64Url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))
    const payload = stringToBase64Url(
      JSON.stringify({ sub: this.user, iat, exp: iat + lifetimeS, jti: ++this.serial }),
    )
    const token = `${header}.${payload}.c2ln`
    this.exp.set(token, (iat + lifetimeS) * 1000)
    this.life.set(token, lifetimeS * 1000)
    return token
  }

  connectorFor(tab: number): Connector {
    return {
      id: 'model',
      fetchCredentials: (options) =>
        new Promise<Credentials | null>((resolve, reject) => {
          const call: Call = {
            tab,
            reason: options.reason,
            at: this.trueNow,
            options,
            resolve,
            reject,
          }
          this.calls.push(call)
          if (this.auto) this.answer(call, 'ok')
        }),
      subscribe: (onChange) => {
        this.subscribers.add(onChange)
        return () => this.subscribers.delete(onChange)
      },
      signOut: async () => {
        this.user = null
      },
    }
  }

  pending(): Call[] {
    return this.calls.filter((c) => c.answeredAt === undefined)
  }

  answer(call: Call, kind: Kind, retryAfterMs = 2_000): void {
    call.answeredAt = this.trueNow
    if (kind === 'null' || this.user === null) {
      if (this.user === null) {
        this.signedOutAllowed = true
        call.resolve(null)
        return
      }
      kind = 'ok'
    }
    if (kind === 'transient') {
      call.failed = true
      call.reject(new Error('503 Service Unavailable'))
      return
    }
    if (kind === 'retryAfter') {
      call.failed = true
      call.retryAfterMs = retryAfterMs
      call.reject(new KeywayError('ERR_PROVIDER', '429', { retryAfterMs }))
      return
    }
    if (kind === 'final') {
      call.failed = true
      this.finalAllowed = true
      call.reject(new KeywayError('ERR_REVOKED', 'revoked', { transient: false }))
      return
    }
    if (kind === 'same') {
      const last = [...this.calls]
        .reverse()
        .find((c) => c.minted && this.subOf(c.minted) === this.user)
      if (last?.minted) {
        call.minted = last.minted
        call.resolve({ token: last.minted })
        return
      }
    }
    // A late answer was minted when the call started and arrives only now.
    call.minted = this.mint(this.lifetimeS, kind === 'late' ? call.at : this.trueNow)
    call.resolve({ token: call.minted })
  }

  subOf(token: string): string | null {
    return JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sub
  }

  async advance(ms: number): Promise<void> {
    // In steps, so calls that time out on the way are noticed as failures at the right time.
    for (let left = ms; left > 0; left -= 1_000) {
      await this.t.clock.advance(Math.min(1_000, left))
      this.markTimeouts()
    }
  }

  /**
   * A call the session aborted after its timeout counts as a failed call; one it dropped for
   * a sign-out, a user change or `dispose()` is over, and no failure.
   */
  markTimeouts(): void {
    for (const c of this.pending())
      if (c.options.signal.aborted) {
        c.answeredAt = this.trueNow
        c.failed = isKeywayError(c.options.signal.reason, 'ERR_TIMEOUT')
      }
  }

  async flush(): Promise<void> {
    await this.t.flush()
    this.markTimeouts()
  }

  /** A promise the engine returned: it may only reject with a KeywayError. */
  watch<T>(promise: Promise<T>): Promise<T | KeywayError> {
    return promise.catch((error: unknown) => {
      if (!isKeywayError(error)) this.errors.push(error)
      return error as KeywayError
    })
  }
}

/** A tab's calls for a failure message: reason, start, answer (ms from the start), failed. */
function history(w: World, tab: number): string {
  const since = (t?: number) => (t === undefined ? null : Math.round(t - w.startedAt))
  return JSON.stringify(
    w.calls
      .filter((c) => c.tab === tab)
      .map((c) => [c.reason, since(c.at), since(c.answeredAt), c.failed ?? false]),
  )
}

/** Checks of the whole history, after every step. */
function checkInvariants(w: World): void {
  expect(w.errors, 'a promise rejected with something that is not a KeywayError').toEqual([])
  for (let tab = 0; tab < w.sessions.length; tab++) {
    const calls = w.calls.filter((c) => c.tab === tab)
    // I3: the session's own calls are at least min(1 s, lifetime / 4) apart.
    const own = calls.filter((c) => ['initial', 'proactive', 'wake'].includes(c.reason))
    for (let i = 1; i < own.length; i++) {
      // An unforced first call may be answered from a cache: the forced one after it is not
      // held back (the engine's gap counts forced calls).
      if (own[i - 1]!.reason === 'initial') continue
      // The gap scales with the lifetime of the tokens of the last two minutes.
      const recent = w.calls.filter((c) => c.minted && c.at > own[i]!.at - 120_000)
      const shortest = Math.min(...recent.map((c) => w.life.get(c.minted!)!), 3_600_000)
      expect(
        own[i]!.at - own[i - 1]!.at,
        `tab ${tab}: two ${own[i]!.reason} calls too close: ${history(w, tab)}`,
      ).toBeGreaterThanOrEqual(Math.min(MIN_GAP_MS, shortest / 4))
    }
    // I4: at most 6 failed calls in any minute.
    const failed = calls.filter((c) => c.failed)
    for (const first of failed)
      expect(
        failed.filter((c) => c.at >= first.at && c.at < first.at + 60_000).length,
        `tab ${tab}: failed calls in one minute: ${history(w, tab)}`,
      ).toBeLessThanOrEqual(BUDGET)
    // I4: Retry-After is a floor for every later call but a user change.
    for (const r of calls.filter((c) => c.retryAfterMs))
      for (const later of calls.filter((c) => c.at > r.answeredAt! && c.reason !== 'changed'))
        expect(
          later.at - r.answeredAt!,
          `tab ${tab}: a call inside Retry-After`,
        ).toBeGreaterThanOrEqual(r.retryAfterMs!)
    // I1: no sign-out nor final error unless the provider said so.
    const snapshot = w.sessions[tab]!.getSnapshot()
    if (!w.signedOutAllowed) expect(snapshot.status).not.toBe('signedOut')
    if (!w.finalAllowed && snapshot.status === 'error')
      expect(snapshot.lastError?.transient, 'a final error nobody answered').toBe(true)
  }
}

/** A token a caller got: never expired on the issuer's clock, and fresh when all is well. */
function checkHandedOut(w: World, session: Session, token: string, minValidityMs = 0): void {
  const exp = w.exp.get(token)
  expect(exp, 'a token the provider never minted').toBeDefined()
  const left = exp! - w.trueNow
  expect(left, 'an expired token was handed out').toBeGreaterThan(0)
  const lifetime = w.life.get(token)!
  const healthy = session.getSnapshot().lastError === null && w.online && w.pending().length === 0
  // I7: a healthy session hands out at least the floor (a quarter of short lifetimes), and
  // what the consumer asked for up to half the lifetime.
  if (healthy)
    expect(left, 'a nearly dead token from a healthy session').toBeGreaterThanOrEqual(
      Math.max(Math.min(FLOOR_MS, lifetime / 4), Math.min(minValidityMs, lifetime / 2)) - 1,
    )
}

type Cmd = fc.AsyncCommand<object, World>
const cmd = (name: string, run: (w: World) => Promise<void>): Cmd => ({
  check: () => true,
  run: async (_m, w) => {
    await run(w)
    await w.flush()
    checkInvariants(w)
  },
  toString: () => name,
})

const commands = [
  fc.integer({ min: 1, max: 70_000 }).map((ms) => cmd(`advance(${ms})`, (w) => w.advance(ms))),
  fc.tuple(fc.nat(1), fc.constantFrom(0, 0, 10_000, 30_000)).map(([tab, min]) =>
    cmd(`getToken(tab ${tab}, min ${min})`, async (w) => {
      const session = w.sessions[tab % w.sessions.length]!
      void w.watch(session.getToken(min ? { minValidityMs: min } : undefined)).then((token) => {
        if (typeof token === 'string') checkHandedOut(w, session, token, min)
      })
    }),
  ),
  fc.integer({ min: 1, max: 5 }).map((n) =>
    cmd(`reportRejected × ${n}`, async (w) => {
      const session = w.sessions[0]!
      const current = session.peek()?.token
      if (!current) return
      const before = w.calls.filter((c) => c.reason === 'rejected').length
      const answers = Array.from({ length: n }, () => w.watch(session.reportRejected(current)))
      await w.flush()
      // I2: N concurrent reports of one token make at most one connector call…
      expect(w.calls.filter((c) => c.reason === 'rejected').length - before).toBeLessThanOrEqual(1)
      void Promise.all(answers).then((all) => {
        // … and every caller gets the same answer.
        const keys = all.map((a) => (isKeywayError(a) ? a.code : (a?.token ?? null)))
        expect(new Set(keys).size, `different answers to one rejection: ${keys}`).toBe(1)
      })
    }),
  ),
  fc
    .tuple(
      fc.constantFrom<Kind>('ok', 'ok', 'late', 'same', 'null', 'transient', 'retryAfter', 'final'),
      fc.constantFrom(1_000, 5_000, 30_000),
    )
    .map(([kind, retryAfter]) =>
      cmd(`answer(${kind})`, async (w) => {
        const call = w.pending()[0]
        if (call) w.answer(call, kind, retryAfter)
      }),
    ),
  fc.constantFrom(...LIFETIMES_S).map((s) =>
    cmd(`lifetime(${s} s)`, async (w) => {
      w.lifetimeS = s
    }),
  ),
  fc.boolean().map((auto) =>
    cmd(`auto(${auto})`, async (w) => {
      w.auto = auto
    }),
  ),
  fc.constant(
    cmd('refresh', async (w) => {
      void w.watch(w.sessions[0]!.refresh())
    }),
  ),
  fc.constant(
    cmd('signOut', async (w) => {
      w.signedOutAllowed = true
      void w.watch(w.sessions[0]!.signOut())
    }),
  ),
  fc.boolean().map((online) =>
    cmd(`online(${online})`, async (w) => {
      w.online = online
      await w.t.setOnline(online)
    }),
  ),
  fc.constantFrom('background', 'wake').map((signal) =>
    cmd(signal, async (w) => {
      await w.t.emit(signal as 'background' | 'wake')
    }),
  ),
  fc.integer({ min: -3_600_000, max: 3_600_000 }).map((ms) =>
    cmd(`jumpWall(${ms})`, async (w) => {
      w.t.clock.jumpWall(ms)
    }),
  ),
  fc.constantFrom<string | null>('user_a', 'user_b', null).map((user) =>
    cmd(`provider user → ${user}`, async (w) => {
      if (user === null) w.signedOutAllowed = true
      w.user = user
      for (const s of [...w.subscribers]) s(user)
    }),
  ),
]

async function runSequence(cmds: Iterable<Cmd>, tabs: number): Promise<void> {
  const w = new World()
  const storage = createMemoryStorage()
  const hub = createMemoryCrossTab()
  for (let tab = 0; tab < tabs; tab++)
    w.sessions.push(
      createSession({
        connector: w.connectorFor(tab),
        platform: tabs > 1 ? { ...w.t.platform, storage, crossTab: hub.tab() } : w.t.platform,
      }),
    )
  try {
    await fc.asyncModelRun(() => ({ model: {}, real: w }), cmds)
    // I5: once everything heals, every session holds a fresh token within the backoff cap + 1 s.
    w.auto = true
    w.online = true
    await w.t.setOnline(true)
    await w.t.emit('wake')
    for (const c of w.pending()) w.answer(c, 'ok')
    if (w.user === null) w.user = 'user_a'
    for (const s of [...w.subscribers]) s(w.user)
    for (let i = 0; i < 62 && !allFresh(w); i++) await w.advance(1_000)
    for (const [tab, session] of w.sessions.entries()) {
      const snapshot = session.getSnapshot()
      if (snapshot.status === 'error' && !snapshot.lastError?.transient) continue
      expect(allFresh(w), `tab ${tab} did not recover: ${JSON.stringify(snapshot)}`).toBe(true)
      checkHandedOut(w, session, await session.getToken())
    }
    checkInvariants(w)
  } finally {
    for (const s of w.sessions) s.dispose()
    await w.flush()
    // I6: after dispose() no timer is left.
    expect(w.t.pendingTimers()).toBe(0)
  }
}

function allFresh(w: World): boolean {
  return w.sessions.every((s) => {
    const snapshot = s.getSnapshot()
    if (snapshot.status === 'error' && !snapshot.lastError?.transient) return true
    const token = s.peek()?.token
    return token !== undefined && (w.exp.get(token) ?? 0) > w.trueNow
  })
}

let sequences = 0
describe(`session engine model (fast-check commands, fake clock, ${MODEL_RUNS} sequences a property)`, () => {
  it(
    'one tab: every invariant after every step',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, COMMANDS), async (cmds) => {
          sequences++
          await runSequence(cmds, 1)
        }),
        { numRuns: MODEL_RUNS, ...SEED },
      )
    },
    Math.max(60_000, MODEL_RUNS * 10),
  )

  it(
    'two tabs sharing storage and the lock',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, COMMANDS), async (cmds) => {
          sequences++
          await runSequence(cmds, 2)
        }),
        { numRuns: Math.max(1, Math.floor(MODEL_RUNS / 2)), ...SEED },
      )
    },
    Math.max(60_000, MODEL_RUNS * 10),
  )

  afterAll(() => {
    console.log(`session model: ${sequences} sequences run`)
  })
})
