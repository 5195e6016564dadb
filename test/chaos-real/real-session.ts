import { authFetch, createSession, defaultPlatform, type Session } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import type { FaultProxy } from '../chaos/fault-proxy.js'
import { type Issuer, SESSION_HEADER } from './issuer.js'
import type { Recorder } from './record.js'

/**
 * The session policy of the suite, and why it differs from the defaults: a hang must outlast
 * the timeout, and a recovery is bounded by the backoff cap, so both are shorter to keep the
 * run short. Everything else is the default.
 */
export const SUITE_POLICY = { fetchTimeoutMs: 8_000, backoffCapMs: 8_000 } as const

/** The hand-out floor the suite holds every token to: 5 s, a quarter of shorter lifetimes. */
export const floorMs = (lifetimeMs: number) => Math.min(5_000, lifetimeMs / 4)

/** Timers of the platform that are armed and have neither fired nor been cleared. */
export function liveTimers() {
  const live = new Set<ReturnType<typeof setTimeout>>()
  return {
    live,
    setTimeout(callback: () => void, ms: number) {
      const handle = setTimeout(() => {
        live.delete(handle)
        callback()
      }, ms)
      live.add(handle)
      return handle
    },
    clearTimeout(handle: unknown) {
      live.delete(handle as ReturnType<typeof setTimeout>)
      clearTimeout(handle as ReturnType<typeof setTimeout>)
    },
  }
}

export interface RealSession {
  name: string
  lifetimeMs: number
  session: Session
  api: typeof fetch
  proxy: FaultProxy
  timers: ReturnType<typeof liveTimers>
  dispose(): void
}

/**
 * A session as an app builds it in Node: `@keyway/http` against the issuer through its own
 * fault proxy, core's `defaultPlatform` (real timers; only counted, see {@link liveTimers}),
 * and `authFetch` whose sends the recorder sees.
 */
export function startRealSession(options: {
  name: string
  lifetimeSec: number
  issuer: Issuer
  proxy: FaultProxy
  rec: Recorder
  policy?: Partial<Record<keyof typeof SUITE_POLICY, number>>
  /** The issuer mints for another audience: the data API rejects every token. */
  wrongAudience?: boolean
}): RealSession {
  const { name, issuer, proxy, rec } = options
  issuer.client(name, { lifetimeSec: options.lifetimeSec, wrongAudience: !!options.wrongAudience })
  const timers = liveTimers()
  const connector = rec.instrument(
    name,
    httpConnector({ url: `${proxy.url}/token`, headers: { [SESSION_HEADER]: name } }),
  )
  const session = createSession({
    connector,
    platform: defaultPlatform({ setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout }),
    ...SUITE_POLICY,
    ...options.policy,
  })
  const stopRecording = rec.observe(name, session)
  const api = authFetch(session, { fetch: rec.recordingFetch(name, { [SESSION_HEADER]: name }) })
  return {
    name,
    lifetimeMs: options.lifetimeSec * 1000,
    session,
    api,
    proxy,
    timers,
    dispose() {
      stopRecording()
      session.dispose()
    },
  }
}
