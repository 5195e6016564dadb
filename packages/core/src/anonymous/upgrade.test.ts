import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { isKeywayError } from '../errors.js'
import { createSession } from '../session/create-session.js'
import { createFakeConnector, createTestPlatform, createTokenMinter } from '../testing/index.js'
import { type AnonymousIdentity, anonymousIdentity } from './anonymous-identity.js'
import { memoryDeviceKeyStore } from './device-key.js'
import { jwkThumbprint, sha256Base64Url } from './jws.js'
import { UpgradeError } from './link-client.js'
import { createUpgrade, type UpgradeOptions } from './upgrade.js'
import {
  keyValueUpgradeStore,
  memoryUpgradeStore,
  type UpgradeRecord,
  type UpgradeStore,
} from './upgrade-store.js'

const LINK_URL = 'https://api.test/link'
const AUDIENCE = `${LINK_URL}/link`

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

/**
 * A double of `@keyway/server`'s link endpoints, in process: it checks the proof the way the
 * server does (signature by the embedded key, thumbprint = sub, aud, typ, single-use nonce and
 * jti, pth) but reads the provider token's `sub` without a JWKS. The real server, with a real
 * provider, runs in test/upgrade.
 */
function linkEndpointDouble(options: { existingAccounts?: string[] } = {}) {
  const nonces = new Set<string>()
  const jtis = new Set<string>()
  const links = new Map<string, { userId: string; outcome: 'promoted' | 'linked_existing' }>()
  const known = new Set(options.existingAccounts)
  const calls: string[] = []
  const script = {
    /** Commit the next link, then drop the connection before the answer arrives. */
    loseNextAnswer: false,
    /** Answers for the next calls to /link, instead of handling them. */
    refuse: [] as Array<{ status: number; error?: string } | 'network'>,
  }
  const handle = async (path: string, body: Record<string, string>): Promise<Response> => {
    if (path === 'challenge') {
      const nonce = crypto.randomUUID()
      nonces.add(nonce)
      return json(200, { nonce, expiresAt: 0 })
    }
    const refusal = script.refuse.shift()
    if (refusal === 'network') throw new TypeError('fetch failed')
    if (refusal) return json(refusal.status, refusal.error ? { error: refusal.error } : {})
    const { providerToken, proof } = body as { providerToken: string; proof: string }
    const header = decodeProtectedHeader(proof)
    const { payload } = await jwtVerify(proof, await importJWK(header.jwk as JWK, 'ES256'), {
      issuer: 'urn:keyway:anonymous',
      audience: AUDIENCE,
      typ: 'keyway-link+jwt',
    })
    if (payload.sub !== `anon_${await jwkThumbprint(header.jwk as JsonWebKey)}`)
      return json(401, { error: 'thumbprint_mismatch' })
    if (payload.pth !== (await sha256Base64Url(providerToken)))
      return json(401, { error: 'pth_mismatch' })
    if (jtis.has(payload.jti!)) return json(401, { error: 'replayed' })
    jtis.add(payload.jti!)
    if (!nonces.delete(payload.nonce as string)) return json(401, { error: 'nonce_unknown' })
    const userId = decodeJwt(providerToken).sub!
    const existing = links.get(payload.sub)
    if (existing && existing.userId !== userId) return json(409, { error: 'already_linked' })
    const outcome = existing?.outcome ?? (known.has(userId) ? 'linked_existing' : 'promoted')
    links.set(payload.sub, { userId, outcome })
    known.add(userId)
    if (script.loseNextAnswer) {
      script.loseNextAnswer = false
      throw new TypeError('fetch failed: connection reset after the link was stored')
    }
    return json(200, { anonymousId: payload.sub, userId, outcome })
  }
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input).slice(LINK_URL.length + 1)
    calls.push(path)
    return handle(path, JSON.parse(String(init?.body ?? '{}')))
  }) as typeof globalThis.fetch
  return { fetch, calls, links, script }
}

/** A store that logs every step it is asked to persist, and can fail one write. */
function loggingStore(inner: UpgradeStore = memoryUpgradeStore()) {
  const log: string[] = []
  let failOn: string | undefined
  const store: UpgradeStore = {
    get: () => inner.get(),
    async set(record) {
      const step =
        record.state === 'pending'
          ? `pending(${record.linkSent ? 'sent' : record.flushed ? 'flushed' : 'new'})`
          : record.state
      if (failOn === step) {
        failOn = undefined
        throw new Error(`crash while writing ${step}`)
      }
      log.push(step)
      await inner.set(record)
    },
    delete: () => inner.delete(),
  }
  return { store, log, failOnWrite: (step: string) => (failOn = step) }
}

type FailPoint = 'flush' | 'onUpgrade' | 'reset'

async function device(options: { existingAccounts?: string[]; store?: UpgradeStore } = {}) {
  const minter = await createTokenMinter()
  const endpoints = linkEndpointDouble(options)
  const identity = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
  const guestId = await identity.getId()
  const logging = loggingStore(options.store)
  const effects = { flushed: [] as string[], reowned: [] as string[], fail: new Set<FailPoint>() }
  const originalReset = identity.reset
  identity.reset = async (expectedId) => {
    if (effects.fail.delete('reset')) throw new Error('crash while forgetting the key')
    return originalReset(expectedId)
  }
  const upgradeOptions: UpgradeOptions = {
    identity,
    linkUrl: LINK_URL,
    store: logging.store,
    fetch: endpoints.fetch,
    flushPending: async ({ from, token }) => {
      if (effects.fail.delete('flush')) throw new Error('crash while flushing')
      expect(decodeJwt(token).sub).toBe(from)
      expect(decodeProtectedHeader(token).typ).toBe('keyway-anon+jwt')
      effects.flushed.push(from)
    },
    onUpgrade: async ({ from, to }) => {
      if (effects.fail.delete('onUpgrade')) throw new Error('crash while re-owning rows')
      effects.reowned.push(`${from}->${to}`)
    },
  }
  return {
    minter,
    endpoints,
    identity,
    guestId,
    ...logging,
    effects,
    upgradeOptions,
    /** A new in-memory upgrade object over the same storage and key: what a reload makes. */
    reload: (extra: Partial<UpgradeOptions> = {}) => createUpgrade({ ...upgradeOptions, ...extra }),
    token: (sub = 'user_ada') => minter.mint({ sub }),
  }
}

describe('upgrade: pending → linked → migrated → done', () => {
  it('flushes as the guest, links, re-owns, then forgets the key, persisting each step first', async () => {
    const d = await device()
    const result = await d.reload().run(await d.token())
    expect(result).toEqual({ from: d.guestId, to: 'user_ada', outcome: 'promoted' })
    expect(d.log).toEqual([
      'pending(new)',
      'pending(flushed)',
      'pending(sent)',
      'linked',
      'migrated',
      'done',
    ])
    expect(d.effects.flushed).toEqual([d.guestId])
    expect(d.effects.reowned).toEqual([`${d.guestId}->user_ada`])
    expect(d.endpoints.calls).toEqual(['challenge', 'link'])
    // The device key can no longer speak for the guest; the next guest is someone new.
    expect(await d.identity.currentId()).toBeUndefined()
    expect(await d.identity.getId()).not.toBe(d.guestId)
  })

  it('answers linked_existing for an account that already exists', async () => {
    const d = await device({ existingAccounts: ['user_ada'] })
    expect(await d.reload().run(await d.token())).toMatchObject({ outcome: 'linked_existing' })
  })

  const starts: Array<{
    name: string
    record: (guest: string) => UpgradeRecord
    links: number
    flushes: number
    reowns: number
  }> = [
    {
      name: 'pending, not flushed',
      record: (from) => ({ state: 'pending', from, flushed: false }),
      links: 1,
      flushes: 1,
      reowns: 1,
    },
    {
      name: 'pending, flushed',
      record: (from) => ({ state: 'pending', from, flushed: true }),
      links: 1,
      flushes: 0,
      reowns: 1,
    },
    {
      name: 'linked',
      record: (from) => ({ state: 'linked', from, to: 'user_ada', outcome: 'promoted' }),
      links: 0,
      flushes: 0,
      reowns: 1,
    },
    {
      name: 'migrated',
      record: (from) => ({ state: 'migrated', from, to: 'user_ada', outcome: 'promoted' }),
      links: 0,
      flushes: 0,
      reowns: 0,
    },
  ]
  for (const start of starts)
    it(`resumes from "${start.name}" after a reload and ends done`, async () => {
      const store = memoryUpgradeStore()
      const d = await device({ store })
      await store.set(start.record(d.guestId))
      const result = await d.reload().resume(() => d.token())
      expect(result).toEqual({ from: d.guestId, to: 'user_ada', outcome: 'promoted' })
      expect(store.record?.state).toBe('done')
      expect(d.endpoints.calls.filter((c) => c === 'link')).toHaveLength(start.links)
      expect(d.effects.flushed).toHaveLength(start.flushes)
      expect(d.effects.reowned).toHaveLength(start.reowns)
      expect(await d.identity.currentId()).toBeUndefined()
    })

  it('resume without a provider token finishes linked/migrated but leaves pending for run', async () => {
    const store = memoryUpgradeStore()
    const d = await device({ store })
    await store.set({ state: 'pending', from: d.guestId, flushed: false })
    expect(await d.reload().resume()).toBeNull()
    expect(store.record).toEqual({ state: 'pending', from: d.guestId, flushed: false })
    expect(d.endpoints.calls).toEqual([])
    await store.set({ state: 'linked', from: d.guestId, to: 'user_ada', outcome: 'promoted' })
    expect(await d.reload().resume()).toMatchObject({ to: 'user_ada' })
    expect(store.record?.state).toBe('done')
  })

  it('a done record resumes to nothing and touches nothing', async () => {
    const store = memoryUpgradeStore()
    const d = await device({ store })
    await store.set({ state: 'done', from: 'anon_old', to: 'user_ada', outcome: 'promoted' })
    expect(await d.reload().resume(() => d.token())).toBeNull()
    expect(d.endpoints.calls).toEqual([])
    expect(await d.identity.currentId()).toBe(d.guestId)
  })

  // A hook that finished just before its step could be written runs once more on resume
  // (`rerun`): hooks are at-least-once, which is why they must be idempotent.
  const crashes: Array<{
    at: string
    arrange(d: Awaited<ReturnType<typeof device>>): void
    stuckAt: string
    rerun?: 'flush' | 'onUpgrade'
  }> = [
    { at: 'flushPending throws', arrange: (d) => d.effects.fail.add('flush'), stuckAt: 'pending' },
    {
      at: 'writing "flushed"',
      arrange: (d) => d.failOnWrite('pending(flushed)'),
      stuckAt: 'pending',
      rerun: 'flush',
    },
    {
      at: 'the link endpoint is unreachable',
      arrange: (d) => d.endpoints.script.refuse.push('network'),
      stuckAt: 'pending',
    },
    {
      at: 'the link answer is lost after the server stored it',
      arrange: (d) => (d.endpoints.script.loseNextAnswer = true),
      stuckAt: 'pending',
    },
    { at: 'writing "linked"', arrange: (d) => d.failOnWrite('linked'), stuckAt: 'pending' },
    { at: 'onUpgrade throws', arrange: (d) => d.effects.fail.add('onUpgrade'), stuckAt: 'linked' },
    {
      at: 'writing "migrated"',
      arrange: (d) => d.failOnWrite('migrated'),
      stuckAt: 'linked',
      rerun: 'onUpgrade',
    },
    { at: 'forgetting the key', arrange: (d) => d.effects.fail.add('reset'), stuckAt: 'migrated' },
    { at: 'writing "done"', arrange: (d) => d.failOnWrite('done'), stuckAt: 'migrated' },
  ]
  for (const crash of crashes)
    it(`a crash at ${crash.at}: a reloaded upgrade resumes and ends done, each effect once`, async () => {
      const store = memoryUpgradeStore()
      const d = await device({ store })
      crash.arrange(d)
      const error = await d
        .reload()
        .run(await d.token())
        .catch((e) => e)
      expect(error).toBeInstanceOf(Error)
      expect(store.record?.state).toBe(crash.stuckAt)
      if (crash.stuckAt === 'pending' || crash.stuckAt === 'linked')
        expect(await d.identity.currentId()).toBe(d.guestId) // nothing is forgotten before the link holds
      // The app reloads: a new upgrade object, the same storage and key.
      const result = await d.reload().resume(() => d.token())
      expect(result).toEqual({ from: d.guestId, to: 'user_ada', outcome: 'promoted' })
      expect(store.record?.state).toBe('done')
      expect(d.endpoints.links.size).toBe(1)
      expect(d.effects.flushed).toEqual(Array(crash.rerun === 'flush' ? 2 : 1).fill(d.guestId))
      expect(d.effects.reowned).toEqual(
        Array(crash.rerun === 'onUpgrade' ? 2 : 1).fill(`${d.guestId}->user_ada`),
      )
      expect(await d.identity.currentId()).toBeUndefined()
    })

  it('a late resume never forgets a newer guest', async () => {
    const store = memoryUpgradeStore()
    const d = await device({ store })
    await store.set({ state: 'migrated', from: 'anon_gone', to: 'user_ada', outcome: 'promoted' })
    await d.reload().resume()
    expect(store.record?.state).toBe('done')
    expect(await d.identity.currentId()).toBe(d.guestId)
  })
})

describe('upgrade: refusals and edge cases', () => {
  it('409 already_linked keeps the guest, its key and the pending step; abandon gives it up', async () => {
    const store = memoryUpgradeStore()
    const d = await device({ store })
    d.endpoints.script.refuse.push({ status: 409, error: 'already_linked' })
    const error = await d
      .reload()
      .run(await d.token())
      .catch((e) => e)
    expect(error).toBeInstanceOf(UpgradeError)
    expect(isKeywayError(error, 'ERR_LINK')).toBe(true)
    expect(error).toMatchObject({ reason: 'already_linked', status: 409, transient: false })
    expect(store.record).toMatchObject({ state: 'pending', from: d.guestId })
    expect(await d.identity.currentId()).toBe(d.guestId)
    expect(await d.reload().abandon()).toBe(true)
    expect(store.record).toBeUndefined()
    expect(await d.identity.currentId()).toBe(d.guestId)
  })

  it('a committed link cannot be abandoned', async () => {
    const store = memoryUpgradeStore()
    const d = await device({ store })
    await store.set({ state: 'linked', from: d.guestId, to: 'user_ada', outcome: 'promoted' })
    expect(await d.reload().abandon()).toBe(false)
    expect(store.record?.state).toBe('linked')
  })

  it('an expired or unknown nonce is retried once with a new challenge', async () => {
    const d = await device()
    d.endpoints.script.refuse.push({ status: 401, error: 'nonce_expired' })
    expect(await d.reload().run(await d.token())).toMatchObject({ outcome: 'promoted' })
    expect(d.endpoints.calls).toEqual(['challenge', 'link', 'challenge', 'link'])

    const e = await device()
    e.endpoints.script.refuse.push(
      { status: 401, error: 'nonce_unknown' },
      { status: 401, error: 'nonce_unknown' },
    )
    const error = await e
      .reload()
      .run(await e.token())
      .catch((x) => x)
    expect(error).toMatchObject({ code: 'ERR_LINK', reason: 'nonce_unknown', transient: false })
  })

  it('other refusals are final, server errors and network faults transient', async () => {
    const d = await device()
    d.endpoints.script.refuse.push(
      { status: 401, error: 'pth_mismatch' },
      { status: 503 },
      'network',
    )
    const upgrade = d.reload()
    const token = await d.token()
    await expect(upgrade.run(token)).rejects.toMatchObject({
      reason: 'pth_mismatch',
      status: 401,
      transient: false,
    })
    await expect(upgrade.run(token)).rejects.toMatchObject({
      code: 'ERR_LINK',
      reason: 'http_503',
      transient: true,
    })
    await expect(upgrade.run(token)).rejects.toMatchObject({
      code: 'ERR_NETWORK',
      reason: 'network',
      transient: true,
    })
    expect(await upgrade.run(token)).toMatchObject({ outcome: 'promoted' })
    expect(d.effects.flushed).toEqual([d.guestId])
  })

  it('refuses a guest token as the provider token, before doing anything', async () => {
    const store = memoryUpgradeStore()
    const d = await device({ store })
    const { token: guestToken } = await d.identity.fetchCredentials()
    await expect(d.reload().run(guestToken)).rejects.toMatchObject({
      reason: 'not_a_provider_token',
    })
    expect(store.record).toBeUndefined()
    expect(d.effects.flushed).toEqual([])
    expect(d.endpoints.calls).toEqual([])
  })

  it('without a guest there is nothing to link and nothing is sent', async () => {
    const minter = await createTokenMinter()
    const endpoints = linkEndpointDouble()
    const identity = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
    const upgrade = createUpgrade({ identity, linkUrl: LINK_URL, fetch: endpoints.fetch })
    expect(await upgrade.run(await minter.mint({ sub: 'user_ada' }))).toBeNull()
    expect(endpoints.calls).toEqual([])
    expect(await identity.exists()).toBe(false)
  })

  it('two tabs running at once link once; the second finds the first one done', async () => {
    const store = memoryUpgradeStore()
    const d = await device({ store })
    let tail: Promise<unknown> = Promise.resolve()
    const sharedLock = <T>(task: () => Promise<T>) => {
      const run = tail.then(task, task)
      tail = run.catch(() => {})
      return run
    }
    const token = await d.token()
    const [a, b] = await Promise.all([
      d.reload({ lock: sharedLock }).run(token),
      d.reload({ lock: sharedLock }).run(token),
    ])
    expect(a).toEqual(b)
    expect(d.endpoints.calls.filter((c) => c === 'link')).toHaveLength(1)
    expect(d.effects.reowned).toHaveLength(1)
  })

  it('a key lost while pending (storage evicted) drops the stale step instead of sticking', async () => {
    const store = memoryUpgradeStore()
    const d = await device({ store })
    await store.set({ state: 'pending', from: 'anon_evicted', flushed: true })
    const result = await d.reload().run(await d.token())
    expect(result?.from).toBe(d.guestId)
    expect(store.record?.state).toBe('done')
  })

  it('needs an absolute link endpoint for the proof audience when there is no page', () => {
    const identity = anonymousIdentity({ audience: 'api', keyStore: memoryDeviceKeyStore() })
    expect(() => createUpgrade({ identity, linkUrl: '/api/link' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    )
    expect(() =>
      createUpgrade({ identity, linkUrl: '/api/link', linkAudience: AUDIENCE }),
    ).not.toThrow()
  })
})

describe('upgrade with a session', () => {
  async function sessionDevice() {
    const t = createTestPlatform({ startWall: Date.now() })
    const connector = await createFakeConnector({
      user: null,
      now: t.clock.wallNow,
      track: t.track,
    })
    const d = await device()
    const identity: AnonymousIdentity = d.identity
    const session = createSession({ connector, platform: t.platform, anonymous: identity })
    return { t, connector, session, ...d }
  }

  it('sign-out before the link is committed keeps the same guest and its key', async () => {
    const s = await sessionDevice()
    expect(s.session.getSnapshot().status).toBe('initializing')
    await s.session.getToken()
    expect(s.session.getSnapshot()).toMatchObject({ status: 'anonymous', userId: s.guestId })
    const upgrade = s.reload()
    s.connector.setUser('user_ada')
    await s.t.flush()
    expect(s.session.getSnapshot().status).toBe('authenticated')
    // A definite refusal: nothing was committed.
    s.endpoints.script.refuse.push({ status: 401, error: 'provider_token_invalid' })
    await expect(upgrade.run(await s.session.getToken())).rejects.toMatchObject({
      reason: 'provider_token_invalid',
    })
    expect(await upgrade.getState()).toMatchObject({ state: 'pending', linkSent: false })

    await s.session.signOut()
    await s.session.getToken()
    // Still the same guest: its rows are only its own until a link is committed.
    expect(s.session.getSnapshot()).toMatchObject({ status: 'anonymous', userId: s.guestId })
    expect(await upgrade.getState()).toBeUndefined()
    // A later sign-out is an ordinary one again: a fresh guest.
    await s.session.signOut()
    await s.session.getToken()
    expect(s.session.getSnapshot().userId).not.toBe(s.guestId)
    s.session.dispose()
  })

  it('sign-out while a link answer is outstanding keeps guest and step: the next sign-in finishes it', async () => {
    const s = await sessionDevice()
    await s.session.getToken()
    const upgrade = s.reload()
    s.connector.setUser('user_ada')
    await s.t.flush()
    // The server stores the link, but the answer never arrives.
    s.endpoints.script.loseNextAnswer = true
    await expect(upgrade.run(await s.session.getToken())).rejects.toMatchObject({
      code: 'ERR_NETWORK',
    })
    expect(await upgrade.getState()).toMatchObject({ state: 'pending', linkSent: true })

    for (let i = 0; i < 2; i++) {
      await s.session.signOut()
      await s.session.getToken()
      // The link may be committed: the guest stays, and so does the step, sign-out after sign-out.
      expect(s.session.getSnapshot()).toMatchObject({ status: 'anonymous', userId: s.guestId })
      expect(await upgrade.getState()).toMatchObject({ state: 'pending', linkSent: true })
    }
    s.connector.setUser('user_ada')
    await s.t.flush()
    const result = await upgrade.run(await s.session.getToken())
    expect(result).toEqual({ from: s.guestId, to: 'user_ada', outcome: 'promoted' })
    expect(s.effects.flushed).toEqual([s.guestId]) // not again: the guest's token is refused by now
    expect(s.endpoints.links.size).toBe(1)
    s.session.dispose()
  })

  it('watch upgrades on sign-in, and after it a sign-out makes a fresh guest', async () => {
    const s = await sessionDevice()
    await s.session.getToken()
    const upgrade = s.reload()
    const results: unknown[] = []
    let done!: () => void
    const finished = new Promise<void>((r) => (done = r))
    const stop = upgrade.watch(s.session, {
      onResult: (r) => {
        results.push(r)
        done()
      },
      onError: (e) => results.push(e),
    })
    s.connector.setUser('user_ada')
    await finished
    expect(results).toEqual([{ from: s.guestId, to: 'user_ada', outcome: 'promoted' }])
    expect(s.effects.reowned).toEqual([`${s.guestId}->user_ada`])
    // Token refreshes of the same user do not upgrade again (resume queues behind any run).
    await s.session.refresh()
    await upgrade.resume()
    expect(s.endpoints.calls.filter((c) => c === 'link')).toHaveLength(1)
    await s.session.signOut()
    await s.session.getToken()
    expect(s.session.getSnapshot().status).toBe('anonymous')
    expect(s.session.getSnapshot().userId).not.toBe(s.guestId)
    stop()
    s.session.dispose()
  })

  it('watch finishes a committed upgrade at start-up, and retries a transient failure on the next change', async () => {
    const store = memoryUpgradeStore()
    const s = await sessionDevice()
    await s.session.getToken()
    await store.set({ state: 'linked', from: s.guestId, to: 'user_ada', outcome: 'promoted' })
    const errors: string[] = []
    const results: string[] = []
    const upgrade = s.reload({ store })
    const stop = upgrade.watch(s.session, {
      onResult: (r) => results.push(r.to),
      onError: (e) => errors.push(e.code),
    })
    while (results.length === 0) await s.t.flush()
    expect(results).toEqual(['user_ada'])
    expect(store.record?.state).toBe('done')
    stop()

    const fresh = await sessionDevice()
    await fresh.session.getToken()
    fresh.endpoints.script.refuse.push('network')
    const retried: string[] = []
    const stopFresh = fresh.reload().watch(fresh.session, {
      onResult: (r) => retried.push(r.outcome),
      onError: (e) => retried.push(e.code),
    })
    fresh.connector.setUser('user_bob')
    while (retried.length === 0) await fresh.t.flush()
    expect(retried).toEqual(['ERR_NETWORK'])
    await fresh.session.refresh() // any session change while a transient failure is pending
    while (retried.length === 1) await fresh.t.flush()
    expect(retried).toEqual(['ERR_NETWORK', 'promoted'])
    stopFresh()
    s.session.dispose()
    fresh.session.dispose()
  })
})

describe('upgrade.watch reporting', () => {
  it('reports an upgrade finished at start-up once, though the sign-in check finds it done too', async () => {
    const t = createTestPlatform({ startWall: Date.now() })
    const connector = await createFakeConnector({
      user: 'user_ada',
      now: t.clock.wallNow,
      track: t.track,
    })
    const store = memoryUpgradeStore()
    const d = await device({ store })
    await store.set({ state: 'linked', from: d.guestId, to: 'user_ada', outcome: 'promoted' })
    const session = createSession({ connector, platform: t.platform, anonymous: d.identity })
    await session.getToken()
    const results: string[] = []
    const upgrade = d.reload({ store })
    const stop = upgrade.watch(session, { onResult: (r) => results.push(r.to) })
    while (results.length === 0) await t.flush()
    await upgrade.resume() // queued behind the sign-in check's run
    await t.flush()
    expect(results).toEqual(['user_ada'])
    expect(store.record?.state).toBe('done')
    stop()
    session.dispose()
  })
})

describe('upgrade.watch shorthand', () => {
  it('takes the error handler alone, and reports a final refusal once', async () => {
    const t = createTestPlatform({ startWall: Date.now() })
    const connector = await createFakeConnector({
      user: null,
      now: t.clock.wallNow,
      track: t.track,
    })
    const d = await device()
    const session = createSession({ connector, platform: t.platform, anonymous: d.identity })
    await session.getToken()
    d.endpoints.script.refuse.push({ status: 409, error: 'already_linked' })
    const reasons: string[] = []
    const upgrade = d.reload()
    const stop = upgrade.watch(session, (error) => reasons.push((error as UpgradeError).reason))
    connector.setUser('user_ada')
    while (reasons.length === 0) await t.flush()
    // A final refusal is not retried on the next session change (resume queues behind any run).
    await session.refresh()
    await upgrade.resume()
    expect(reasons).toEqual(['already_linked'])
    expect(d.endpoints.calls.filter((c) => c === 'link')).toHaveLength(1)
    stop()
    session.dispose()
  })
})

describe('upgrade stores', () => {
  it('keyValueUpgradeStore round-trips through string storage and ignores a damaged record', async () => {
    const map = new Map<string, string>()
    const storage = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    }
    const store = keyValueUpgradeStore(storage)
    expect(await store.get()).toBeUndefined()
    const record: UpgradeRecord = {
      state: 'linked',
      from: 'anon_x',
      to: 'user_ada',
      outcome: 'linked_existing',
    }
    await store.set(record)
    expect(JSON.parse(map.get('keyway:upgrade')!)).toEqual(record)
    expect(await keyValueUpgradeStore(storage).get()).toEqual(record)
    map.set('keyway:upgrade', '{not json')
    expect(await store.get()).toBeUndefined()
    map.set('keyway:upgrade', JSON.stringify({ state: 'exploded', from: 'x' }))
    expect(await store.get()).toBeUndefined()
    await store.delete()
    expect(map.has('keyway:upgrade')).toBe(false)
  })

  it('memoryUpgradeStore hands out copies, so a caller cannot change the stored step', async () => {
    const store = memoryUpgradeStore()
    await store.set({ state: 'pending', from: 'anon_x', flushed: false })
    const copy = (await store.get()) as { flushed: boolean }
    copy.flushed = true
    expect(store.record).toEqual({ state: 'pending', from: 'anon_x', flushed: false })
  })
})
