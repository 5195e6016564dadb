import { describe, expect, it } from 'vitest'
import { createSession } from '../session/create-session.js'
import { createFakeConnector, createTestPlatform } from '../testing/index.js'
import { anonymousIdentity } from './anonymous-identity.js'
import { memoryDeviceKeyStore } from './device-key.js'

describe('a session with anonymous identity', () => {
  it('is anonymous with a verifiable guest token while nobody is signed in, then authenticated', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({
      user: null,
      now: t.clock.wallNow,
      track: t.track,
    })
    const identity = anonymousIdentity({
      audience: 'api',
      keyStore: memoryDeviceKeyStore(),
      now: t.clock.wallNow,
    })
    // Signing is real WebCrypto work, off the fake clock: tracked, so `advance` waits for
    // the refresh it fires to finish instead of racing it (one real turn is not always enough).
    const guest = {
      ...identity,
      fetchCredentials: (o?: Parameters<typeof identity.fetchCredentials>[0]) =>
        t.track(identity.fetchCredentials(o)),
    }
    const session = createSession({ connector, platform: t.platform, anonymous: guest })
    const guestToken = await session.getToken()
    expect(session.getSnapshot().status).toBe('anonymous')
    expect(session.getSnapshot().userId).toBe(await identity.getId())
    // Refreshed like any credentials: 600 s tokens, refreshed 150–210 s early.
    await t.clock.advance(460_000)
    expect(await session.getToken()).not.toBe(guestToken)
    expect(session.getSnapshot().status).toBe('anonymous')
    connector.setUser('user_ada')
    await t.flush()
    expect(await session.getToken()).not.toBe(guestToken)
    expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', userId: 'user_ada' })
    session.dispose()
  })

  it('sign-out makes a fresh guest, not the old one', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({
      user: 'user_ada',
      now: t.clock.wallNow,
      track: t.track,
    })
    const identity = anonymousIdentity({
      audience: 'api',
      keyStore: memoryDeviceKeyStore(),
      now: t.clock.wallNow,
    })
    const before = await identity.getId()
    const session = createSession({ connector, platform: t.platform, anonymous: identity })
    await session.getToken()
    await session.signOut()
    await session.getToken()
    expect(session.getSnapshot().status).toBe('anonymous')
    expect(session.getSnapshot().userId).not.toBe(before)
    session.dispose()
  })
})

describe('sign-out with a guest key that cannot be forgotten', () => {
  it('still signs out (the storage fault is logged), and the session goes on as a guest', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({
      user: 'user_ada',
      now: t.clock.wallNow,
      track: t.track,
    })
    const keyStore = memoryDeviceKeyStore()
    keyStore.clear = async () => {
      throw new DOMException('The database connection is closing', 'InvalidStateError')
    }
    const identity = anonymousIdentity({ audience: 'api', keyStore, now: t.clock.wallNow })
    const guestId = await identity.getId() // a guest from before the sign-in
    const session = createSession({ connector, platform: t.platform, anonymous: identity })
    await session.getToken()
    expect(session.getSnapshot().status).toBe('authenticated')
    await session.signOut()
    await session.getToken()
    expect(session.getSnapshot()).toMatchObject({ status: 'anonymous', userId: guestId })
    expect(t.logs.some((l) => l.message.includes('storage failed: InvalidStateError'))).toBe(true)
    session.dispose()
  })
})
