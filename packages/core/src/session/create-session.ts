import type { Credentials } from '../contract.js'
import { KeywayError } from '../errors.js'
import { defaultPlatform } from '../platform.js'
import { DEFAULT_POLICY, type RefreshPolicy } from '../policy.js'
import { newClockEstimate } from './clock.js'
import { anchorCredentials } from './credentials.js'
import { dropShared, loadStored, offer, onRemote, storageFailed } from './cross-tab.js'
import type { Engine } from './engine.js'
import { blockedBy, currentAfterFetch, detachInflight, runFetch } from './fetch.js'
import { disposedError, getCredentials, handOut } from './hand-out.js'
import { onHostSignal } from './host-signals.js'
import { clearTimer, schedule, tellSchedule } from './proactive-refresh.js'
import { checkProviderUser, onProviderChange } from './provider-change.js'
import { reportAccepted, reportRejected } from './rejection.js'
import { newRetryState } from './retry.js'
import { deferred, emit, forget, keep } from './state.js'
import type { Session, SessionOptions, TokenOptions } from './types.js'

/**
 * Creates a session over a connector. It restores persisted credentials (when the platform
 * has storage) or fetches the first ones at once, then keeps them fresh until `dispose()`.
 * Its methods are closures: `const { getToken } = session` and `onClick={session.refresh}`
 * work as they are.
 *
 * @example
 * ```ts
 * import { createSession, authFetch } from '@keyway/core'
 * import { httpConnector } from '@keyway/http'
 *
 * const session = createSession({ connector: httpConnector({ url: '/api/token' }) })
 * const token = await session.getToken()
 * const api = authFetch(session)
 * const res = await api('https://api.example.com/notes')
 * ```
 */
export function createSession(options: SessionOptions): Session {
  const { connector, platform, storageKey, anonymous, initialCredentials, ...set } = options
  const p = platform ?? defaultPlatform()
  const policy: RefreshPolicy = { ...DEFAULT_POLICY }
  for (const [name, value] of Object.entries(set))
    if (value !== undefined) policy[name as keyof RefreshPolicy] = value
  const e: Engine = {
    _connector: connector,
    _p: p,
    _policy: policy,
    _key: storageKey ?? `keyway:${connector.id}`,
    _anonymous: anonymous,
    _held: null,
    _status: 'initializing',
    _lastError: null,
    _counters: { fetches: 0, failures: 0, rejections: 0 },
    _tokenVersion: 0,
    _snapshot: undefined,
    _listeners: new Set(),
    _inspectors: new Set(),
    _changed: deferred(),
    _inflight: null,
    _controller: null,
    _epoch: 0,
    _lastFetchMs: 0,
    _lastCallAt: -Infinity,
    _calls: [],
    _stormWarnedAt: -Infinity,
    _clock: newClockEstimate(),
    _skewWarned: false,
    _retry: newRetryState(),
    _rejecting: null,
    _chain: 0,
    _strictMs: 0,
    _strictAt: 0,
    _timer: undefined,
    _armed: [0, 0, 0],
    _refreshAt: -Infinity,
    _background: false,
    _providerUser: undefined,
    _ready: Promise.resolve(),
    _disposed: false,
    _cleanups: [],
  }

  /** Resolves once the session has started; rejects with `ERR_DISPOSED` after `dispose()`. */
  async function alive(): Promise<void> {
    if (!e._disposed) await e._ready
    if (e._disposed) throw disposedError()
  }

  /** A forced fetch the app asked for: `session.refresh()`. */
  async function refresh(): Promise<Credentials | null> {
    await alive()
    while (e._inflight) await e._inflight
    const failures = e._counters.failures
    // The app asked: the backoff gives way, not the Retry-After floor nor the failure budget.
    const blocked = blockedBy(e, 'manual', true)
    if (blocked) throw blocked
    await runFetch(e, 'manual', true)
    // A provider change during the fetch starts a newer one: answer with its outcome.
    while (e._inflight) await e._inflight
    // (A sign-out or a success since then cleared the error: the current state answers.)
    if (e._counters.failures > failures && e._lastError) throw e._lastError
    return currentAfterFetch(e)
  }

  async function start(): Promise<void> {
    // Subscribe before restoring so that no provider change falls in the gap.
    if (connector.subscribe)
      e._cleanups.push(connector.subscribe((userId) => onProviderChange(e, userId)))
    e._cleanups.push(p.subscribe((signal) => onHostSignal(e, signal)))
    if (p.crossTab) e._cleanups.push(p.crossTab.listen(e._key, (m) => onRemote(e, m)))
    const restored = await loadStored(e)
    if (e._disposed || (e._status !== 'initializing' && !initialCredentials)) return
    // Usable now: no network before the first token. If it is already due, the timer fires
    // at once and refreshes it (forced) while callers are served.
    if (restored) offer(e, restored, 'storage')
    if (handOut(e)) {
      schedule(e)
      // A user the provider reported while storage was read must be the stored token's.
      checkProviderUser(e)
    } else if (!e._inflight) void runFetch(e, e._held ? 'proactive' : 'initial')
  }

  if (initialCredentials)
    keep(
      e,
      anchorCredentials(
        initialCredentials,
        { sentMono: p.now(), fresh: false, anonymous: false },
        p,
        e._clock,
      ),
    )
  else emit(e)
  e._ready = start()

  return {
    connector,
    async getToken(options?: TokenOptions): Promise<string> {
      // The common case answers without a single await: this is the hot path of every request.
      const credentials = handOut(e, options) ?? (await getCredentials(e, options))
      if (!credentials) throw new KeywayError('ERR_SIGNED_OUT', 'Nobody is signed in')
      return credentials.token
    },
    getCredentials: (options) => getCredentials(e, options),
    peek: (options) => handOut(e, options),
    async reportRejected(token) {
      await alive()
      // A call still under way at dispose() settles with ERR_DISPOSED, not with what the
      // detached fetch left (the old token, or a transient error someone would wait out).
      return reportRejected(e, token).finally(alive)
    },
    reportAccepted: (token) => reportAccepted(e, token),
    refresh: () => refresh().finally(alive),
    async signOut() {
      await alive()
      detachInflight(e, new KeywayError('ERR_ABORTED', 'The session was signed out'))
      clearTimer(e)
      forget(e)
      // Forget the guest before anyone (this tab's provider listener, other tabs) fetches
      // anew, or the next anonymous token would still speak for the old guest.
      await anonymous?.reset?.()?.catch((error) => storageFailed(e, error))
      await dropShared(e, true)
      await connector.signOut?.()
      if (anonymous) void runFetch(e, 'changed')
    },
    subscribe(listener) {
      // After dispose() every subscriber has heard its last call; one added later hears it
      // too (on a microtask: after `subscribe` has returned its unsubscribe), so a wait for
      // the next change ends and finds ERR_DISPOSED.
      if (e._disposed) {
        queueMicrotask(listener)
        return () => {}
      }
      e._listeners.add(listener)
      return () => {
        e._listeners.delete(listener)
      }
    },
    inspect(listener) {
      e._inspectors.add(listener)
      tellSchedule(e, listener)
      return () => {
        e._inspectors.delete(listener)
      }
    },
    getSnapshot: () => e._snapshot!,
    dispose() {
      if (e._disposed) return
      e._disposed = true
      detachInflight(e, disposedError())
      clearTimer(e)
      // Callers waiting for a token wake up to ERR_DISPOSED.
      e._changed.resolve()
      for (const cleanup of e._cleanups.splice(0)) cleanup()
      // Subscribers hear of it once: whatever waits for a change (a prefetch waiting for the
      // next token) wakes up and finds ERR_DISPOSED instead of waiting forever.
      for (const listener of [...e._listeners]) listener()
      e._listeners.clear()
      e._inspectors.clear()
    },
  }
}
