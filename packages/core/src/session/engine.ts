import type { Connector } from '../contract.js'
import type { KeywayError } from '../errors.js'
import type { Platform, TimerHandle } from '../platform.js'
import type { RefreshPolicy } from '../policy.js'
import type { SessionCounters, SessionSnapshot, SessionStatus } from '../snapshot.js'
import type { ClockEstimate } from './clock.js'
import type { HeldCredentials } from './credentials.js'
import type { RetryState } from './retry.js'
import type { AnonymousSource, SessionEvent } from './types.js'

/**
 * The state of one session, shared by the files of the engine, each of which owns the fields
 * of its behaviour. Fields are `_`-prefixed so the build shortens them (they never leave
 * core). Only the transitions in `state.ts` write `_held`, `_status` and `_lastError`.
 */
export interface Engine {
  readonly _connector: Connector
  readonly _p: Platform
  readonly _policy: RefreshPolicy
  readonly _key: string
  readonly _anonymous: AnonymousSource | undefined

  // state.ts
  _held: HeldCredentials | null
  _status: SessionStatus
  _lastError: KeywayError | null
  _counters: SessionCounters
  _tokenVersion: number
  _snapshot: SessionSnapshot | undefined
  _listeners: Set<() => void>
  _inspectors: Set<(event: SessionEvent) => void>
  /** Resolved (and replaced) whenever the held token changes or a fetch ends: waiters wake. */
  _changed: { promise: Promise<void>; resolve: () => void }

  // fetch.ts
  _inflight: Promise<void> | null
  _controller: AbortController | null
  /** Bumped by sign-out, provider changes and dispose: results of older fetches are dropped. */
  _epoch: number
  _lastFetchMs: number
  /** Monotonic start of the last call that keeps the minimum gap (the session's own calls). */
  _lastCallAt: number
  /** Monotonic times of every call in the last minute, for the refresh-storm warning. */
  _calls: number[]
  _stormWarnedAt: number
  _clock: ClockEstimate
  _skewWarned: boolean

  // retry.ts
  _retry: RetryState

  // rejection.ts
  /** The rejection being answered: its token and the promise every report of it shares. */
  _rejecting: { token: string; answer: Promise<unknown> } | null
  /** Rejection calls since a token was last accepted: a wrong audience stops the chain. */
  _chain: number

  // consumers (create-session.ts)
  /** The strictest `minValidityMs` asked within the last token lifetime, and when. */
  _strictMs: number
  _strictAt: number

  // proactive-refresh.ts
  _timer: TimerHandle | undefined
  /** When the timer was armed (monotonic, wall) and for how long: a late firing means sleep. */
  _armed: [number, number, number]
  /** The refresh point last told to inspectors (wall ms): a 'scheduled' event when it moves. */
  _refreshAt: number
  /** Between `background` and the next `wake`/`online`: no refresh timer is armed. */
  _background: boolean

  // provider-change.ts
  /** A provider's user reported while the first fetch was under way: checked when it lands. */
  _providerUser: string | null | undefined

  /** Settles once start-up (storage, subscriptions) is done. */
  _ready: Promise<void>
  _disposed: boolean
  _cleanups: Array<() => void>
}
