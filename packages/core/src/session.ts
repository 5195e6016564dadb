import { backoffDelay, nextCallAllowed } from './backoff.js'
import type { Connector, Credentials, FetchCredentialsOptions, FetchReason } from './contract.js'
import { isKeywayError, KeywayError, toKeywayError } from './errors.js'
import {
  anchorCredentials,
  fromStored,
  type HeldCredentials,
  remainingMs,
  skewMs,
} from './held-credentials.js'
import {
  type CrossTabMessage,
  defaultPlatform,
  type Logger,
  type Platform,
  type PlatformEvent,
  type TimerHandle,
  toStoredCredentials,
} from './platform.js'
import { DEFAULT_POLICY, MAX_TIMER_DELAY_MS, type RefreshPolicy } from './policy.js'
import { redactToken } from './redact.js'
import { minimumRemaining, refreshOffset } from './refresh-schedule.js'
import type { SessionEvent, TokenOptions } from './session-events.js'
import { raceSignal } from './signal.js'
import { nextSnapshot, type SessionSnapshot, type SessionStatus } from './snapshot.js'

/**
 * Where anonymous tokens come from while nobody is signed in (see `anonymousIdentity`).
 * Its tokens put the session in the `anonymous` status.
 */
export interface AnonymousSource {
  fetchCredentials(options: FetchCredentialsOptions): Promise<Credentials>
  /** Forgets the device identity, so the next guest after a sign-out is a new one. */
  reset?(): Promise<void>
}

export interface SessionOptions extends Partial<RefreshPolicy> {
  /** The provider's connector: the one source of credentials. */
  connector: Connector
  /** Clock, timers, storage, tabs and host signals. Default: `defaultPlatform()`. */
  platform?: Platform
  /** Key for storage and cross-tab messages. Default `keyway:<connector.id>`. */
  storageKey?: string
  /** When set, a `null` from the connector means "anonymous" instead of "signed out". */
  anonymous?: AnonymousSource
}

/**
 * Always-valid credentials from one connector: cached, refreshed before expiry,
 * re-fetched when a backend rejects them, and never dropped on a transient fault.
 */
export interface Session {
  readonly connector: Connector
  /**
   * A token with enough life left to be used now. Waits for a refresh when the current one
   * is nearly dead. Rejects with `ERR_SIGNED_OUT` when nobody is signed in, and with the
   * last transient error when no valid token can be had right now.
   */
  getToken(options?: TokenOptions): Promise<string>
  /**
   * Like `getToken`, as `{ token, expiresAt, endpoint? }`, whatever the source (a fetch,
   * storage, another tab): `expiresAt` is the local wall-clock expiry, skew-corrected, absent
   * only for a token that has none. `null` when nobody is signed in.
   */
  getCredentials(options?: TokenOptions): Promise<Credentials | null>
  /**
   * The current credentials, synchronously, when they can be handed out now (fresh beyond
   * the floor); `undefined` otherwise. Never fetches.
   */
  peek(options?: TokenOptions): Credentials | undefined
  /**
   * Calls `listener` with every event of the session (fetches, failures, rejections, host
   * signals), for devtools and metrics. Returns the unsubscribe function.
   */
  inspect(listener: (event: SessionEvent) => void): () => void
  /**
   * Tell the session a backend answered 401 for `token`. Resolves with credentials for one
   * retry (new ones, or the same token when the provider insists and it was rejected only
   * once). Rejects when there is nothing to retry with. A rejection of an old token is a no-op.
   */
  reportRejected(token: string): Promise<Credentials | null>
  /** Fetches new credentials now (forced), within the call budget. */
  refresh(): Promise<Credentials | null>
  /** Signs out at the provider and forgets the credentials here and in every tab. */
  signOut(): Promise<void>
  /** Calls `listener` after every state change. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** The current state; the same object until something changes. */
  getSnapshot(): SessionSnapshot
  /** Stops every timer, listener and call in flight. The session cannot be used afterwards. */
  dispose(): void
}

/** What the connector answered: credentials, `null` (nobody is signed in) or an error. */
type Answer = HeldCredentials | null | KeywayError

/**
 * What one fetch came to: the answer, another tab's credentials found in storage, or
 * `'kept'` (another tab holds the lock too long and the current token is still valid).
 */
type FetchOutcome = Answer | 'kept'

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
  const { connector, platform: p = defaultPlatform(), storageKey, anonymous, ...set } = options
  const policy: RefreshPolicy = { ...DEFAULT_POLICY }
  for (const [name, value] of Object.entries(set))
    if (value !== undefined) policy[name as keyof RefreshPolicy] = value
  const key = storageKey ?? `keyway:${connector.id}`

  let held: HeldCredentials | null = null
  let status: SessionStatus = 'initializing'
  let lastError: KeywayError | null = null
  const counters = { fetches: 0, failures: 0, rejections: 0 }
  let snapshot: SessionSnapshot | undefined
  const listeners = new Set<() => void>()
  const inspectors = new Set<(event: SessionEvent) => void>()
  /** A provider's user reported while the first fetch was under way: checked when it lands. */
  let providerUser: string | null | undefined
  /** Bumped each time the held token changes: the snapshot's `tokenVersion`. */
  let tokenVersion = 0

  let inflight: Promise<void> | null = null
  let controller: AbortController | null = null
  /** Bumped by sign-out, provider changes and dispose: results of older fetches are dropped. */
  let epoch = 0
  let failuresInRow = 0
  let retryAt = 0
  let lastFetchMs = 0
  /** Monotonic times of the connector calls in the last minute: the budget and the storm warning. */
  const calls: number[] = []
  const skewSamples: number[] = []
  let skewWarned = false
  let stormWarnedAt = Number.NEGATIVE_INFINITY

  let timer: TimerHandle | undefined
  /** When the timer was armed (monotonic, wall) and for how long: a late firing means sleep. */
  let armed = [0, 0, 0]
  let disposed = false
  /** Between `background` and the next `wake`/`online`: no refresh timer is armed. */
  let background = false
  const cleanups: Array<() => void> = []

  // ── public API ───────────────────────────────────────────────────────────────

  async function getToken(options?: TokenOptions): Promise<string> {
    // The common case answers without a single await: this is the hot path of every request.
    const credentials = handOut(options?.minValidityMs) ?? (await getCredentials(options))
    if (!credentials) throw new KeywayError('ERR_SIGNED_OUT', 'Nobody is signed in')
    return credentials.token
  }

  /** Credentials to hand out at once, when the held ones are fresh enough. */
  function handOut(minValidityMs = 0): Credentials | undefined {
    if (disposed) throw disposedError()
    const h = current()
    // The clocks are read once: this is every request's path.
    const left = h ? remainingMs(h, p) : 0
    if (!h || left <= Math.max(floor(), minValidityMs)) return undefined
    // Still good to hand out, but due: a timer that slept late would refresh it anyway.
    if (left <= refreshOffsetOf(h)) check('proactive')
    return h.credentials
  }

  async function getCredentials(options?: TokenOptions): Promise<Credentials | null> {
    const minValidityMs = options?.minValidityMs
    const failuresAtStart = counters.failures
    // `ready` directly, not `alive()`: every caller at expiry passes here, and the extra async
    // frame cost ~1 µs each (bench/concurrency.ts). handOut throws once disposed.
    await ready
    for (let round = 0; round < 4; round++) {
      const current = handOut(minValidityMs)
      if (current) return current
      if (inflight) {
        await inflight
        continue
      }
      if (status === 'signedOut') return null
      if (status === 'error' && !lastError!.transient) throw lastError
      // One call makes at most one attempt of its own; a caller waiting for a token makes the
      // backoff wait give way, but not the call budget or the offline state.
      const reason = held ? 'proactive' : 'initial'
      const blocked =
        counters.failures > failuresAtStart ? (lastError ?? undefined) : blockedBy(reason, true)
      if (blocked) return lastResort(blocked)
      await runFetch(reason, true)
    }
    return lastResort(
      lastError ?? new KeywayError('ERR_PROVIDER', 'No credentials could be obtained'),
    )
  }

  /** When no fresh token can be had now, a nearly dead one that is still valid beats none. */
  function lastResort(error: KeywayError): Credentials {
    const current = valid(0)
    if (current) return current.credentials
    throw error
  }

  async function reportRejected(token: string): Promise<Credentials | null> {
    await alive()
    counters.rejections++
    event({ type: 'rejection', current: held?.credentials.token === token })
    if (held?.credentials.token !== token) {
      // An old token: whatever replaced it already is the answer.
      emit()
      return getCredentials()
    }
    held.rejections++
    log('debug', `token ${redactToken(token)} rejected by a backend (${held.rejections}×)`)
    if (held.rejections > 1) {
      fail(rejectedTwice())
      schedule()
      throw lastError
    }
    emit()
    if (inflight) await inflight
    const current = usable()
    if (current && current.credentials.token !== token) return current.credentials
    return forcedFetch('rejected')
  }

  async function refresh(): Promise<Credentials | null> {
    await alive()
    if (inflight) await inflight
    return forcedFetch('manual')
  }

  /** A fetch a caller asked for (rejection, manual refresh): within the budget, and awaited. */
  async function forcedFetch(reason: 'rejected' | 'manual'): Promise<Credentials | null> {
    const spent = budgetSpent()
    if (spent) throw spent
    if (reason === 'manual') retryAt = 0
    const failuresBefore = counters.failures
    await runFetch(reason)
    // A provider change during the fetch starts a newer one: answer with its outcome.
    while (inflight) await inflight
    if (counters.failures > failuresBefore) throw lastError
    const current = usable()
    if (current || reason === 'manual' || status === 'signedOut')
      return current?.credentials ?? null
    throw lastError ?? new KeywayError('ERR_REJECTED', 'The backend rejected the token')
  }

  async function signOut(): Promise<void> {
    await alive()
    forget()
    // Forget the guest before anyone (this tab's provider listener, other tabs) fetches
    // anew, or the next anonymous token would still speak for the old guest.
    await anonymous?.reset?.()?.catch(storageFailed)
    await dropShared(true)
    await connector.signOut?.()
    if (anonymous) void runFetch('changed')
  }

  function subscribe(listener: () => void): () => void {
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
    }
  }

  function inspect(listener: (event: SessionEvent) => void): () => void {
    inspectors.add(listener)
    return () => {
      inspectors.delete(listener)
    }
  }

  /** Tells the inspectors (devtools) what happened; never a token. */
  function event(e: Record<string, unknown> & { type: SessionEvent['type'] }): void {
    if (!inspectors.size) return
    const full = { ...e, at: p.wallNow() } as SessionEvent
    for (const inspector of [...inspectors])
      try {
        inspector(full)
      } catch {}
  }

  function dispose(): void {
    if (disposed) return
    disposed = true
    detachInflight(disposedError())
    clearTimer()
    for (const cleanup of cleanups.splice(0)) cleanup()
    listeners.clear()
    inspectors.clear()
  }

  // ── start-up and host signals ────────────────────────────────────────────────

  async function start(): Promise<void> {
    // Subscribe before restoring so that no provider change falls in the gap.
    if (connector.subscribe) cleanups.push(connector.subscribe(onProviderChange))
    cleanups.push(p.subscribe(onPlatformEvent))
    if (p.crossTab) cleanups.push(p.crossTab.listen(key, onRemote))
    const restored = await loadStored()
    if (disposed || status !== 'initializing') return
    // Usable now: no network before the first token. If it is already due, the timer fires
    // at once and refreshes it (forced) while callers are served.
    if (restored && remainingMs(restored, p) > floor()) take(restored, 'storage')
    else if (!inflight) void runFetch('initial')
  }

  function onPlatformEvent(signal: PlatformEvent): void {
    if (disposed) return
    event({ type: 'host', signal })
    if (signal === 'offline' || signal === 'background') {
      background ||= signal === 'background'
      clearTimer()
    } else {
      background = false
      wake()
    }
  }

  /** online, wake, a timer that fired late: look at the token at once, even inside a backoff wait. */
  function wake(): void {
    retryAt = Math.min(retryAt, p.now())
    check('wake')
  }

  function onProviderChange(userId?: string | null): void {
    if (disposed) return
    // The provider's user is the user of the held token (or nobody, and nobody is held):
    // nothing changed, whatever the event was (a first event, a poll, another tab's sign-in).
    if (userId !== undefined) {
      if (userId === heldUser()) return
      // Nothing held yet and a fetch under way: its answer is compared when it lands, so the
      // provider's first event does not cost a second call.
      if (inflight && !held) {
        providerUser = userId
        return
      }
    }
    detachInflight(new KeywayError('ERR_ABORTED', 'The provider changed user'))
    // The old token is never handed out again unless the provider confirms the same user.
    if (held) held.stale = true
    failuresInRow = retryAt = 0
    void runFetch('changed')
  }

  function onRemote(message: CrossTabMessage): void {
    if (disposed) return
    if (message.type === 'signedOut') {
      if (status === 'signedOut') return
      forget()
      if (anonymous) void runFetch('changed')
    }
    if (message.type !== 'credentials') return
    const incoming = fromStored(message.credentials, p)
    if (
      incoming &&
      held?.credentials.token !== incoming.credentials.token &&
      (!held || held.stale || incoming.receivedAtWall >= held.receivedAtWall)
    )
      take(incoming, 'tab')
  }

  /** Who the held token speaks for: `null` for nobody (signed out, or a guest). */
  function heldUser(): string | null | undefined {
    if (held && !held.stale && held.rejections < 2) return held.anonymous ? null : held.userId
    return status === 'signedOut' || status === 'anonymous' ? null : undefined
  }

  /** Credentials another tab or storage had: taken as they are, without a fetch. */
  function take(incoming: HeldCredentials, from: 'storage' | 'tab'): void {
    event({
      type: 'credentials',
      from,
      userId: incoming.userId,
      expiresAt: incoming.expiresAtWall,
    })
    adopt(incoming)
    log('debug', `took ${redactToken(incoming.credentials.token)} from ${from}`)
    schedule()
  }

  // ── fetching ─────────────────────────────────────────────────────────────────

  function runFetch(reason: FetchReason, onDemand?: boolean): Promise<void> {
    if (inflight) return inflight
    if (disposed || blockedBy(reason, onDemand)) {
      schedule()
      return Promise.resolve()
    }
    const runEpoch = epoch
    const runController = new AbortController()
    const run: Promise<void> = fetchCoordinated(reason, runController, runEpoch)
      .catch(toKeywayError)
      .then((outcome) => {
        if (runEpoch !== epoch || disposed) return
        apply(outcome, reason)
        const reported = providerUser
        providerUser = undefined
        if (reported !== undefined && reported !== heldUser()) queueMicrotask(onProviderChange)
      })
      .finally(() => {
        if (inflight !== run) return
        inflight = controller = null
        emit()
        schedule()
      })
    inflight = run
    controller = runController
    clearTimer()
    emit()
    return run
  }

  /** One tab fetches; the others find its result in storage once they hold the lock. */
  async function fetchCoordinated(
    reason: FetchReason,
    runController: AbortController,
    runEpoch: number,
  ): Promise<FetchOutcome> {
    const replacing = held?.credentials.token
    const callAndShare = async (): Promise<Answer> => {
      const outcome = await callConnector(reason, runController)
      if (runEpoch === epoch) await share(outcome)
      return outcome
    }
    if (!p.crossTab) return callAndShare()
    const locked = await p.crossTab.withLock(
      key,
      async (): Promise<Answer> => {
        const stored = reason === 'changed' ? undefined : await loadStored()
        return stored && stored.credentials.token !== replacing && !refreshDue(stored)
          ? stored
          : callAndShare()
      },
      { waitMs: policy.lockWaitMs },
    )
    if (locked.acquired) return locked.value
    // The lock did not come in time (a stuck tab): a still-valid token beats a second refresh.
    return valid(0) && !held!.rejections ? 'kept' : callAndShare()
  }

  async function callConnector(
    reason: FetchReason,
    runController: AbortController,
  ): Promise<Answer> {
    const started = p.now()
    // Called for its pruning: `calls` then holds only the last minute, for the storm count.
    nextCallAllowed(calls, policy.maxCallsPerMinute, started)
    calls.push(started)
    counters.fetches++
    event({ type: 'fetch', reason })
    if (calls.length > policy.maxCallsPerMinute && started - stormWarnedAt > 60_000) {
      stormWarnedAt = started
      log('warn', `refresh storm: ${calls.length} connector calls in the last minute`)
    }
    const { signal } = runController
    const options: FetchCredentialsOptions = {
      // A first fetch and a provider change may take the provider's cached token; every
      // other reason is for a newer one.
      forceRefresh: reason !== 'initial' && reason !== 'changed',
      reason,
      signal,
    }
    const timeout = p.setTimeout(() => {
      runController.abort(
        new KeywayError(
          'ERR_TIMEOUT',
          `The connector did not answer within ${policy.fetchTimeoutMs} ms`,
        ),
      )
    }, policy.fetchTimeoutMs)
    try {
      let guest = false
      const answer = await raceSignal(
        (async () => {
          const first = await connector.fetchCredentials(options)
          if (first !== null || !anonymous) return first
          guest = true
          return anonymous.fetchCredentials(options)
        })(),
        signal,
      )
      lastFetchMs = p.now() - started
      if (answer === null) return null
      if (typeof answer?.token !== 'string')
        throw new KeywayError(
          'ERR_PROVIDER',
          'The connector answered something that is not credentials',
          { transient: false },
        )
      const fresh = anchorCredentials(answer, guest, p, skewSamples)
      event({
        type: 'credentials',
        from: 'connector',
        reason,
        ms: lastFetchMs,
        userId: fresh.userId,
        expiresAt: fresh.expiresAtWall,
      })
      log('debug', `${reason} fetch → ${redactToken(answer.token)} (${Math.round(lastFetchMs)} ms)`)
      const skew = skewMs(skewSamples, p)
      if (!skewWarned && Math.abs(skew) > policy.skewWarningMs) {
        skewWarned = true
        // Nothing breaks here (lifetimes are relative to `iat`), but strict backends may refuse.
        log('warn', `the local clock is about ${Math.round(-skew / 1000)} s off the issuer's`)
      }
      return fresh
    } catch (e) {
      const error = toKeywayError(e)
      log('debug', `${reason} fetch failed: ${error.code}`)
      event({
        type: 'failure',
        reason,
        code: error.code,
        transient: error.transient,
        retryAt: error.retryAfterMs === undefined ? null : p.wallNow() + error.retryAfterMs,
      })
      return error
    } finally {
      p.clearTimeout(timeout)
    }
  }

  /** Persists and broadcasts a fresh result (inside the lock, so other tabs find it). */
  async function share(answer: Answer): Promise<void> {
    if (answer === null || (isKeywayError(answer) && !answer.transient))
      // Other tabs learn of a final error from their own next fetch; of a sign-out at once.
      await dropShared(answer === null)
    else if (!isKeywayError(answer)) {
      // Held credentials always have the stored fields: only the trim can happen here.
      const stored = toStoredCredentials(answer)!
      await p.storage?.set(key, stored).catch(storageFailed)
      p.crossTab?.post(key, { type: 'credentials', credentials: stored })
    }
  }

  async function dropShared(tellTabs: boolean): Promise<void> {
    if (tellTabs) p.crossTab?.post(key, { type: 'signedOut' })
    await p.storage?.delete(key).catch(storageFailed)
  }

  function apply(outcome: FetchOutcome, reason: FetchReason): void {
    if (outcome === 'kept')
      // Another tab holds the lock and may be stuck: try again later, not in a tight loop.
      backOff()
    else if (outcome === null) forget()
    else if (isKeywayError(outcome)) fail(outcome)
    else {
      const same = held?.credentials.token === outcome.credentials.token
      if (same) outcome.rejections = held!.rejections
      if (outcome.rejections > 1) fail(rejectedTwice())
      else if (same && reason !== 'rejected' && reason !== 'changed' && refreshDue(outcome)) {
        // The provider handed back the token we wanted to replace: keep it, try again later.
        outcome.refreshOffsetMs = held!.refreshOffsetMs
        setHeld(outcome)
        backOff()
      } else adopt(outcome)
    }
  }

  // ── state changes ────────────────────────────────────────────────────────────

  function adopt(fresh: HeldCredentials): void {
    failuresInRow = retryAt = 0
    lastError = null
    setHeld(fresh)
  }

  function setHeld(fresh: HeldCredentials): void {
    if (held?.credentials.token !== fresh.credentials.token) tokenVersion++
    held = fresh
    status = fresh.anonymous ? 'anonymous' : 'authenticated'
    emit()
  }

  function forget(): void {
    detachInflight(new KeywayError('ERR_ABORTED', 'The session was signed out'))
    if (held) tokenVersion++
    held = lastError = null
    status = 'signedOut'
    event({ type: 'signedOut' })
    failuresInRow = retryAt = 0
    clearTimer()
    emit()
  }

  function fail(error: KeywayError): void {
    if (error.code === 'ERR_DISPOSED') return
    counters.failures++
    lastError = error
    if (error.transient) {
      backOff(error.retryAfterMs)
      // A transient fault never signs anyone out: with a valid token, the status stays.
      if (!valid(0)) status = 'error'
    } else {
      // Final: the provider says this session is over. Stop serving the token; no retry loop.
      if (held) tokenVersion++
      held = null
      status = 'error'
      failuresInRow = 0
    }
    emit()
  }

  function rejectedTwice(): KeywayError {
    // Transient: retried with backoff, and over as soon as a new token verifies.
    return new KeywayError('ERR_REJECTED', 'The backend rejected the same token twice')
  }

  function backOff(retryAfterMs?: number): void {
    retryAt = p.now() + backoffDelay(++failuresInRow, policy, p.random, retryAfterMs)
  }

  function emit(): void {
    const next = nextSnapshot(snapshot, {
      status,
      userId: held && !held.stale ? held.userId : null,
      expiresAt: held?.expiresAtWall ?? null,
      refreshing: inflight !== null,
      tokenVersion,
      lastError,
      counters,
    })
    if (next === snapshot) return
    snapshot = next
    for (const listener of [...listeners])
      try {
        listener()
      } catch (e) {
        log('warn', `a session listener threw: ${(e as Error)?.message ?? String(e)}`)
      }
  }

  // ── scheduling ───────────────────────────────────────────────────────────────

  /** The held token when it may be handed out and has more than `minMs` of life left. */
  function valid(minMs: number): HeldCredentials | undefined {
    const h = current()
    return h && remainingMs(h, p) > minMs ? h : undefined
  }

  /** The held token unless the provider changed user or a backend rejected it twice. */
  function current(): HeldCredentials | undefined {
    return held && !held.stale && held.rejections < 2 ? held : undefined
  }

  /** Credentials that may be handed out now. */
  function usable(): HeldCredentials | undefined {
    return valid(floor())
  }

  function floor(): number {
    return minimumRemaining(lastFetchMs, policy)
  }

  function refreshDue(h: HeldCredentials): boolean {
    return remainingMs(h, p) <= refreshOffsetOf(h)
  }

  /** How long before expiry `h` is refreshed: drawn once per token (lead and jitter). */
  function refreshOffsetOf(h: HeldCredentials): number {
    if (h.expiresMono === null) return Number.NEGATIVE_INFINITY
    h.refreshOffsetMs ??= Math.max(
      refreshOffset(h.lifetimeMs ?? Math.max(0, remainingMs(h, p)), policy, p.random),
      floor(),
    )
    return h.refreshOffsetMs
  }

  /**
   * Why a fetch for `reason` may not start now, or `undefined` when it may. `onDemand`: a
   * caller is waiting for a token, so the backoff wait gives way (the call budget does not).
   *
   * The call budget holds under failure: retries, rejections and manual refreshes. Healthy
   * proactive refreshes of short tokens may exceed it (and warn as a refresh storm);
   * sign-in changes never wait for it. A first fetch that keeps failing is a retry like any
   * other: an app asking for a token every second while the provider is down must not
   * turn each ask into a call.
   */
  function blockedBy(reason: FetchReason, onDemand?: boolean): KeywayError | undefined {
    if (!p.isOnline()) return new KeywayError('ERR_OFFLINE', 'The device is offline')
    if (reason === 'changed') return undefined
    if (!onDemand && failuresInRow > 0 && p.now() < retryAt)
      return lastError ?? new KeywayError('ERR_PROVIDER', 'Waiting to retry')
    if (failuresInRow > 0 || reason === 'rejected' || reason === 'manual') return budgetSpent()
    return undefined
  }

  /** `ERR_RATE_LIMITED` while the last minute's calls fill the budget. */
  function budgetSpent(): KeywayError | undefined {
    const now = p.now()
    const allowedAt = nextCallAllowed(calls, policy.maxCallsPerMinute, now)
    if (allowedAt > now)
      return new KeywayError(
        'ERR_RATE_LIMITED',
        `Connector call budget spent (${policy.maxCallsPerMinute}/min)`,
        { retryAfterMs: allowedAt - now },
      )
  }

  /** Looks at the token now and fetches when it is due; otherwise re-arms the timer. */
  function check(reason: 'proactive' | 'wake'): void {
    if (disposed || inflight || ended()) return
    const h = current()
    if (failuresInRow > 0 || !h || refreshDue(h))
      void runFetch(held && !held.stale ? reason : 'initial')
    else schedule()
  }

  /** Signed out, or a final error: nothing to refresh until the provider or the app acts. */
  function ended(): boolean {
    return status === 'signedOut' || (status === 'error' && !lastError!.transient)
  }

  function schedule(): void {
    clearTimer()
    if (disposed || inflight || background || !p.isOnline() || ended()) return
    const now = p.now()
    let due: number
    if (failuresInRow > 0)
      due = Math.max(retryAt, nextCallAllowed(calls, policy.maxCallsPerMinute, now))
    else if (held?.expiresMono == null) return
    else {
      due = now + remainingMs(held, p) - refreshOffsetOf(held)
    }
    const delay = Math.min(Math.max(0, due - now), policy.maxTimerMs, MAX_TIMER_DELAY_MS)
    armed = [now, p.wallNow(), delay]
    timer = p.setTimeout(onTimer, delay)
  }

  function onTimer(): void {
    timer = undefined
    const [mono, wall, delay] = armed as [number, number, number]
    const elapsed = Math.max(p.now() - mono, p.wallNow() - wall)
    if (elapsed > policy.lateTimerFactor * delay && elapsed - delay > 1_000) {
      log('debug', `timer fired ${Math.round(elapsed - delay)} ms late: the device slept`)
      wake()
    } else check('proactive')
  }

  function clearTimer(): void {
    if (timer === undefined) return
    p.clearTimeout(timer)
    timer = undefined
  }

  // ── helpers ──────────────────────────────────────────────────────────────────

  /** Aborts the fetch in flight and drops whatever it brings back (a newer epoch). */
  function detachInflight(reason: KeywayError): void {
    epoch++
    const running = controller
    inflight = controller = null
    running?.abort(reason)
  }

  async function loadStored(): Promise<HeldCredentials | undefined> {
    try {
      return fromStored(await p.storage?.get(key), p)
    } catch (e) {
      storageFailed(e)
    }
  }

  function storageFailed(error: unknown): void {
    log('debug', `storage failed: ${(error as Error)?.name ?? 'error'}; continuing in memory`)
  }

  function disposedError(): KeywayError {
    return new KeywayError('ERR_DISPOSED', 'The session was disposed')
  }

  /** Resolves once the session has started; rejects with `ERR_DISPOSED` after `dispose()`. */
  async function alive(): Promise<void> {
    if (!disposed) await ready
    if (disposed) throw disposedError()
  }

  function log(level: keyof Logger, message: string): void {
    p.logger[level](`[keyway:${connector.id}] ${message}`)
  }

  emit()
  const ready = start()
  return {
    connector,
    getToken,
    getCredentials,
    peek: (options?: TokenOptions) => handOut(options?.minValidityMs),
    inspect,
    reportRejected,
    refresh,
    signOut,
    subscribe,
    getSnapshot: () => snapshot!,
    dispose,
  }
}
