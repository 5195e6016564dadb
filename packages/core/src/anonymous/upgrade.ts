import { isKeywayError, type KeywayError, toKeywayError } from '../errors.js'
import { decodeJwt } from '../jwt.js'
import type { Session } from '../session/types.js'
import { ANONYMOUS_TOKEN_TYP, type AnonymousIdentity } from './anonymous-identity.js'
import { linkClient, UpgradeError } from './link-client.js'
import {
  memoryUpgradeStore,
  type UpgradeRecord,
  type UpgradeResult,
  type UpgradeStore,
} from './upgrade-store.js'

/** What `flushPending` gets: the guest and a fresh token that speaks for it. */
export interface GuestCredentials {
  /** The guest id (`anon_…`). */
  from: string
  /** A fresh anonymous token of the guest (10 min): push with it, not with the account's. */
  token: string
}

export interface UpgradeOptions {
  /** The guest on this device (the one passed to `createSession({ anonymous })`). */
  identity: AnonymousIdentity
  /**
   * Where `@keyway/server`'s `createLinkHandler` is mounted: the client posts to
   * `<linkUrl>/challenge` and `<linkUrl>/link`.
   */
  linkUrl: string
  /** The proof's `aud`, equal to the server's `linkAudience`. Default: `<linkUrl>/link`, absolute. */
  linkAudience?: string
  /** Where the step survives a reload. Default in memory; use `keyValueUpgradeStore(localStorage)` in browsers. */
  store?: UpgradeStore
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch
  /**
   * Pushes what the guest wrote and the server has not seen, as the guest, before the link
   * (afterwards the server no longer accepts the guest's own tokens). Runs again after a
   * crash until it succeeded once: push idempotently (client-generated ids).
   */
  flushPending?: (guest: GuestCredentials) => Promise<void>
  /**
   * Re-owns local rows from the guest (`from`) to the account (`to`) once the server committed
   * the link. Runs again after a crash until it succeeded once: make it idempotent.
   */
  onUpgrade?: (result: UpgradeResult) => Promise<void> | void
  /**
   * Runs one upgrade step sequence at a time across tabs. Default: a Web Lock
   * (`keyway:upgrade`) when the host has `navigator.locks`, else one at a time in this realm.
   */
  lock?: <T>(task: () => Promise<T>) => Promise<T>
}

export interface UpgradeWatchHandlers {
  /** A finished upgrade (also one finished after a reload). */
  onResult?(result: UpgradeResult): void
  /** A failed attempt. Transient ones are retried on the session's next change. */
  onError?(error: KeywayError): void
}

/** The client half of turning a guest into an account without losing a row. */
export interface Upgrade {
  /**
   * Links this device's guest to the account behind `providerToken` (or finishes an
   * interrupted upgrade). Resolves `null` when there is no guest to link; rejects with an
   * {@link UpgradeError} when a step failed, leaving the step persisted for a retry.
   */
  run(providerToken: string): Promise<UpgradeResult | null>
  /**
   * Finishes an upgrade a reload or crash interrupted. A `pending` one needs the provider
   * token (`getProviderToken`); without it, only `linked`/`migrated` ones are finished.
   */
  resume(getProviderToken?: () => Promise<string>): Promise<UpgradeResult | null>
  /**
   * Runs the upgrade whenever `session` becomes authenticated (sign-up, sign-in, start-up
   * with a signed-in user) while a guest exists, and finishes interrupted ones at once.
   * `handlers` may be just the `onError` function. Returns the unsubscribe function.
   */
  watch(
    session: Session,
    handlers?: UpgradeWatchHandlers | ((error: KeywayError) => void),
  ): () => void
  /** The persisted step, if any. */
  getState(): Promise<UpgradeRecord | undefined>
  /**
   * Gives up a `pending` upgrade (say after `already_linked`): the guest keeps its key and
   * its data. A committed link cannot be given up; resolves `false` then.
   */
  abandon(): Promise<boolean>
  /** Stops guarding the guest key on sign-out (see `identity.keepWhile`). */
  dispose(): void
}

/** Server answers after which a new challenge may succeed (a slow round trip, a restarted server). */
const RETRY_WITH_NEW_NONCE = new Set(['nonce_expired', 'nonce_unknown'])

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

function defaultLock(): <T>(task: () => Promise<T>) => Promise<T> {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks
  if (locks) return (task) => locks.request('keyway:upgrade', task)
  let tail: Promise<unknown> = Promise.resolve()
  return (task) => {
    const run = tail.then(task, task)
    tail = run.catch(() => {})
    return run
  }
}

function resultOf(record: UpgradeResult): UpgradeResult {
  return { from: record.from, to: record.to, outcome: record.outcome }
}

/** Refuses a guest token where the account's token belongs (the session may have flipped back). */
function assertProviderToken(token: string): string {
  if (decodeJwt(token).header.typ === ANONYMOUS_TOKEN_TYP)
    throw new UpgradeError(
      'ERR_LINK',
      'not_a_provider_token',
      'The upgrade needs the provider token of the account, not a guest token',
      { transient: false },
    )
  return token
}

/**
 * Turns the guest on this device into an account without losing a row: a persisted state
 * machine `pending → linked → migrated → done` that resumes after a reload or a crash at any
 * step. Unsynced guest writes go out as the guest first (`flushPending`), then the server
 * links guest and account (`promoted` or `linked_existing`), then the app re-owns its local
 * rows (`onUpgrade`), and only then is the guest's device key forgotten.
 *
 * @example
 * ```ts
 * const upgrade = createUpgrade({
 *   identity,
 *   linkUrl: 'https://api.example.com/link',
 *   store: keyValueUpgradeStore(localStorage),
 *   flushPending: ({ token }) => outbox.push({ bearer: token }),
 *   onUpgrade: ({ from, to }) => localDb.reown(from, to),
 * })
 * upgrade.watch(session, { onError: (e) => console.warn('upgrade', e.code) })
 * ```
 */
export function createUpgrade(options: UpgradeOptions): Upgrade {
  const { identity } = options
  const store = options.store ?? memoryUpgradeStore()
  const lock = options.lock ?? defaultLock()
  const links = linkClient(options)

  // A sign-out before the link is committed must not forget the guest: its rows are still
  // only the guest's. The key stays. The sign-in that pending was for is over, so the step
  // goes too, unless a link request is unanswered: then the next sign-in links again first.
  const releaseGuard = identity.keepWhile(async (guestId) => {
    const record = await store.get()
    if (record?.state !== 'pending' || record.from !== guestId) return false
    if (!record.linkSent) await store.delete()
    return true
  })

  async function link(
    providerToken: string,
    pending: Extract<UpgradeRecord, { state: 'pending' }>,
  ): Promise<UpgradeResult> {
    const { from } = pending
    if (!pending.linkSent) await store.set({ ...pending, linkSent: true })
    for (let attempt = 1; ; attempt++) {
      try {
        const nonce = await links.challenge()
        const proof = await identity.createLinkProof({
          providerToken,
          nonce,
          audience: links.audience,
        })
        const result = await links.link(providerToken, proof)
        if (result.from !== from)
          throw new UpgradeError('ERR_LINK', 'bad_response', 'The server linked another guest', {
            transient: false,
          })
        return result
      } catch (error) {
        if (
          attempt === 1 &&
          error instanceof UpgradeError &&
          RETRY_WITH_NEW_NONCE.has(error.reason)
        )
          continue
        // A 4xx refusal is definite: nothing was committed.
        if (error instanceof UpgradeError && error.status !== undefined && error.status < 500)
          await store.set({ ...pending, linkSent: false })
        throw error
      }
    }
  }

  async function advance(
    start: UpgradeRecord,
    getProviderToken: (() => Promise<string>) | undefined,
  ): Promise<UpgradeResult | null> {
    let record = start
    if (record.state === 'pending') {
      if (!getProviderToken) return null
      const providerToken = assertProviderToken(await getProviderToken())
      if (!record.flushed) {
        if (options.flushPending) {
          const { token } = await identity.fetchCredentials()
          await options.flushPending({ from: record.from, token })
        }
        record = { ...record, flushed: true }
        await store.set(record)
      }
      record = { state: 'linked', ...(await link(providerToken, record)) }
      await store.set(record)
    }
    if (record.state === 'linked') {
      await options.onUpgrade?.(resultOf(record))
      record = { ...record, state: 'migrated' }
      await store.set(record)
    }
    if (record.state === 'migrated') {
      // Only this guest's key: a sign-out since may have made a new guest, who stays.
      await identity.reset(record.from)
      record = { ...record, state: 'done' }
      await store.set(record)
    }
    return resultOf(record as UpgradeResult)
  }

  async function step(
    getProviderToken: (() => Promise<string>) | undefined,
    startNew: boolean,
  ): Promise<UpgradeResult | null> {
    let record = await store.get()
    if (record?.state === 'pending' && record.from !== (await identity.currentId())) {
      // The guest's key is gone (storage evicted, cleared elsewhere): nothing can speak for it.
      await store.delete()
      record = undefined
    }
    if (record && record.state !== 'done') return advance(record, getProviderToken)
    if (!startNew || !getProviderToken) return null
    const providerToken = assertProviderToken(await getProviderToken())
    const from = await identity.currentId()
    if (!from) {
      // No guest: nothing to link, unless another tab just finished this very upgrade.
      const sub = decodeJwt(providerToken).payload.sub
      return record?.state === 'done' && record.to === sub ? resultOf(record) : null
    }
    record = { state: 'pending', from, flushed: false }
    await store.set(record)
    return advance(record, async () => providerToken)
  }

  const upgrade: Upgrade = {
    run(providerToken) {
      return lock(() => step(async () => providerToken, true))
    },
    resume(getProviderToken) {
      return lock(() => step(getProviderToken, false))
    },
    watch(session, given = {}) {
      const handlers: UpgradeWatchHandlers =
        typeof given === 'function' ? { onError: given } : given
      let linkedUser: string | null = null
      let retry = false
      let reported: string | undefined
      const attempt = (task: () => Promise<UpgradeResult | null>) => {
        retry = false
        task().then(
          (result) => {
            if (!result) return
            // The start-up resume and the sign-in check may both find the same upgrade done.
            const key = `${result.from} ${result.to}`
            if (key === reported) return
            reported = key
            handlers.onResult?.(result)
          },
          (error: unknown) => {
            const failure = isKeywayError(error) ? error : toKeywayError(error)
            retry = failure.transient
            handlers.onError?.(failure)
          },
        )
      }
      const check = () => {
        const { status, userId } = session.getSnapshot()
        if (status === 'anonymous' || status === 'signedOut') linkedUser = null
        if (status !== 'authenticated') return
        if (userId === linkedUser && !retry) return
        linkedUser = userId
        attempt(() => lock(() => step(() => session.getToken(), true)))
      }
      attempt(() => upgrade.resume())
      const unsubscribe = session.subscribe(check)
      check()
      return unsubscribe
    },
    getState: () => store.get(),
    abandon() {
      return lock(async () => {
        const record = await store.get()
        if (record?.state !== 'pending') return false
        await store.delete()
        return true
      })
    },
    dispose: releaseGuard,
  }
  return upgrade
}
