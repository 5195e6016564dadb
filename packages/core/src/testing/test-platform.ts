import type { Logger, Platform, PlatformEvent, TimerHandle } from '../platform.js'

interface FakeTimer {
  id: number
  due: number
  callback: () => void
}

export interface LogLine {
  level: 'debug' | 'warn'
  message: string
}

export interface TestClock {
  /** Monotonic ms. */
  now(): number
  /** Wall-clock epoch ms. */
  wallNow(): number
  /** Moves both clocks forward by `ms`, firing due timers in order, flushing promises between them. */
  advance(ms: number): Promise<void>
  /** Moves only the wall clock (the user or NTP changed it). Fires nothing. */
  jumpWall(ms: number): void
  /**
   * The device sleeps for `ms`: the wall clock jumps, timers do not fire during it. With
   * `monotonic: false` (default, like macOS and Linux suspend) the monotonic clock stands
   * still too, so timers fire late by the wall clock only.
   */
  sleep(ms: number, options?: { monotonic?: boolean }): Promise<void>
}

export interface TestPlatform {
  platform: Platform
  clock: TestClock
  /** Timers armed and not yet fired or cleared. */
  pendingTimers(): number
  /** Host listeners currently subscribed through `platform.subscribe`. */
  listenerCount(): number
  /**
   * Sends a host signal to the session, as a browser or app would, then lets what it set off
   * settle as `flush()` does: tracked work included, so a call the signal makes (a `wake`
   * check, say) has its answer when this resolves.
   */
  emit(event: PlatformEvent): Promise<void>
  /** Sets connectivity, emitting `online` / `offline` when it changes (and settling, as `emit`). */
  setOnline(online: boolean): Promise<void>
  /** Every line the session logged. */
  logs: LogLine[]
  /** Lets pending promise callbacks run (a real macrotask turn; no time passes on the fake clock). */
  flush(): Promise<void>
  /**
   * Marks real async work (WebCrypto signing, a loopback request) that the fake clock must
   * wait for before firing the next timer, so a slow machine cannot make a 15 s timeout
   * fire "during" a call that takes no fake time. `advance`, `sleep`, `flush`, `emit` and
   * `setOnline` resolve only once tracked work has settled: untracked work gets one real turn,
   * which a loaded machine does not always give it. Never track work meant to hang.
   *
   * @example
   * ```ts
   * const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
   * const guest = { ...identity, fetchCredentials: (o) => t.track(identity.fetchCredentials(o)) }
   * ```
   */
  track<T>(work: Promise<T>): Promise<T>
}

export interface TestPlatformOptions {
  /** Offset of the local wall clock from true time, e.g. `+10 * 60_000` for a clock 10 min ahead. */
  wallOffsetMs?: number
  /** Wall-clock epoch ms at start (before the offset). Default 2026-01-01T00:00:00Z. */
  startWall?: number
  online?: boolean
  /** Replaces `Math.random` for jitter; default a seeded generator, so runs repeat. */
  random?: () => number
  /**
   * How `flush()`, `advance()` and `emit()` let pending callbacks run. Default: one real
   * `setTimeout(0)` turn (≥ 1 ms in Node), which also gives untracked real work a moment.
   * A model test whose world is all in memory passes `setImmediate` for speed.
   */
  yieldTurn?: () => Promise<void>
}

// Captured at import so tests that fake globals cannot stall the flush.
const realSetTimeout = globalThis.setTimeout

/** Resolves after pending promise callbacks have run (one real macrotask turn). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, 0))
}

/** A small deterministic generator (mulberry32) so jittered tests repeat exactly. */
export function seededRandom(seed = 42): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A platform with a fake clock and fake timers, for testing anything built on a Session
 * without waiting on the wall clock.
 *
 * @example
 * ```ts
 * const t = createTestPlatform()
 * const session = createSession({ connector, platform: t.platform })
 * await t.clock.advance(60_000) // fires the proactive refresh
 * expect(t.pendingTimers()).toBe(1)
 * ```
 */
export function createTestPlatform(options: TestPlatformOptions = {}): TestPlatform {
  let mono = 1_000_000
  let wall = (options.startWall ?? Date.UTC(2026, 0, 1)) + (options.wallOffsetMs ?? 0)
  let online = options.online ?? true
  let nextId = 1
  const timers = new Map<number, FakeTimer>()
  const listeners = new Set<(event: PlatformEvent) => void>()
  const logs: LogLine[] = []
  const tracked = new Set<Promise<unknown>>()

  const logger: Logger = {
    debug: (message) => logs.push({ level: 'debug', message }),
    warn: (message) => logs.push({ level: 'warn', message }),
  }

  const platform: Platform = {
    now: () => mono,
    wallNow: () => wall,
    setTimeout(callback, ms): TimerHandle {
      const id = nextId++
      timers.set(id, { id, due: mono + Math.max(0, ms), callback })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    random: options.random ?? seededRandom(),
    isOnline: () => online,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    logger,
  }

  function nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined
    for (const t of timers.values())
      if (t.due <= limit && (!best || t.due < best.due || (t.due === best.due && t.id < best.id)))
        best = t
    return best
  }

  const yieldTurn = options.yieldTurn ?? flushPromises
  async function settle(): Promise<void> {
    await yieldTurn()
    while (tracked.size > 0) {
      await Promise.allSettled([...tracked])
      await yieldTurn()
    }
  }

  async function runDue(limit: number): Promise<void> {
    await settle()
    for (let t = nextDue(limit); t; t = nextDue(limit)) {
      const step = t.due - mono
      if (step > 0) {
        mono += step
        wall += step
      }
      timers.delete(t.id)
      t.callback()
      await settle()
    }
  }

  const clock: TestClock = {
    now: () => mono,
    wallNow: () => wall,
    async advance(ms) {
      const target = mono + ms
      await runDue(target)
      const rest = target - mono
      mono += rest
      wall += rest
      await settle()
    },
    jumpWall(ms) {
      wall += ms
    },
    async sleep(ms, sleepOptions = {}) {
      wall += ms
      if (sleepOptions.monotonic) mono += ms
      // Whatever became due fires now, late, as after a real wake-up.
      await runDue(mono)
    },
  }

  async function emit(event: PlatformEvent): Promise<void> {
    for (const l of [...listeners]) l(event)
    // Not one turn only: a call the signal makes signs its token with real WebCrypto, which
    // can outlast a turn on a loaded machine.
    await settle()
  }

  return {
    platform,
    clock,
    pendingTimers: () => timers.size,
    listenerCount: () => listeners.size,
    emit,
    async setOnline(value) {
      if (value === online) return
      online = value
      await emit(value ? 'online' : 'offline')
    },
    logs,
    flush: settle,
    track(work) {
      tracked.add(work)
      const done = () => tracked.delete(work)
      work.then(done, done)
      return work
    },
  }
}
