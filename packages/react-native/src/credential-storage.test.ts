import { createSession, isKeywayError, type StoredCredentials } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'
import { fakeAppState, fakeAsyncStorage, fakeSecureStore } from '../test/stand-ins.js'
import { asyncStorageStorage } from './async-storage-storage.js'
import { reactNativePlatform } from './react-native-platform.js'
import { secureStoreKey } from './secure-store-key.js'
import { secureStoreStorage } from './secure-store-storage.js'

const stored: StoredCredentials = {
  token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2ln',
  endpoint: 'https://sync.example.com',
  expiresAtWall: Date.UTC(2026, 0, 1, 1),
  lifetimeMs: 3_600_000,
  receivedAtWall: Date.UTC(2026, 0, 1),
  userId: 'user_1',
}

const adapters = () => {
  const secure = fakeSecureStore()
  const plain = fakeAsyncStorage()
  return [
    { name: 'secureStoreStorage', storage: secureStoreStorage(secure), raw: secure.data },
    { name: 'asyncStorageStorage', storage: asyncStorageStorage(plain), raw: plain.data },
  ] as const
}

describe.each(adapters().map((a) => [a.name] as const))('%s', (name) => {
  const adapter = () => adapters().find((a) => a.name === name)!

  it('round-trips credentials, anonymous flag included, and deletes them', async () => {
    const { storage } = adapter()
    await storage.set('keyway:app', stored)
    expect(await storage.get('keyway:app')).toEqual(stored)
    await storage.set('keyway:guest', { ...stored, expiresAtWall: null, anonymous: true })
    expect(await storage.get('keyway:guest')).toEqual({
      ...stored,
      expiresAtWall: null,
      anonymous: true,
    })
    await storage.delete('keyway:app')
    expect(await storage.get('keyway:app')).toBeUndefined()
    expect(await storage.get('keyway:never-set')).toBeUndefined()
  })

  it('writes only the stored-credentials fields: a refresh token that rode along never reaches the device', async () => {
    const { storage, raw } = adapter()
    await storage.set('keyway:app', { ...stored, refreshToken: 'r-secret' } as StoredCredentials)
    const text = [...raw.values()].join('')
    expect(text).toContain(stored.token)
    expect(text).not.toContain('r-secret')
    expect(await storage.get('keyway:app')).toEqual(stored)
  })

  it('survives corrupt and foreign values: they read as nothing', async () => {
    const { storage, raw } = adapter()
    await storage.set('keyway:app', stored)
    const [rawKey] = [...raw.keys()]
    for (const junk of ['{not json', 'null', '42', '"text"', '{"token":1}', '{"token":"t"}']) {
      raw.set(rawKey!, junk)
      expect(await storage.get('keyway:app')).toBeUndefined()
    }
    raw.set(rawKey!, JSON.stringify({ ...stored, expiresAtWall: 'soon' }))
    expect(await storage.get('keyway:app')).toBeUndefined()
  })
})

describe('secureStoreStorage', () => {
  it('maps any key one-to-one onto keys SecureStore accepts', async () => {
    const keys = [
      'keyway:app',
      'keyway_app',
      'keyway_3a_app',
      'keyway.app',
      '',
      '_',
      'ü',
      'a b',
      '😀',
    ]
    const mapped = keys.map(secureStoreKey)
    for (const key of mapped) expect(key).toMatch(/^[\w.-]+$/)
    expect(new Set(mapped).size).toBe(keys.length)
    expect(secureStoreKey('keyway:http')).toBe('keyway_3a_http')
    const store = fakeSecureStore()
    const storage = secureStoreStorage(store)
    // The real module throws on 'keyway:app'; through the adapter both keys live side by side.
    await storage.set('keyway:app', stored)
    await storage.set('keyway_app', { ...stored, userId: 'user_2' })
    expect((await storage.get('keyway:app'))?.userId).toBe('user_1')
    expect((await storage.get('keyway_app'))?.userId).toBe('user_2')
  })

  it('passes its options to every call (keychainService must match between write and read)', async () => {
    const store = fakeSecureStore()
    const storage = secureStoreStorage(store, { secureStoreOptions: { keychainService: 'kw' } })
    await storage.set('k', stored)
    await storage.get('k')
    await storage.delete('k')
    expect(store.options).toEqual([
      { keychainService: 'kw' },
      { keychainService: 'kw' },
      { keychainService: 'kw' },
    ])
  })

  it('does not write a value over 2048 bytes: deletes the older one and fails with ERR_STORAGE', async () => {
    const store = fakeSecureStore()
    const storage = secureStoreStorage(store)
    await storage.set('keyway:app', stored)
    const big = { ...stored, token: `eyJ.${'a'.repeat(2100)}.sig`, userId: 'user_2' }
    const error = await storage.set('keyway:app', big).catch((e: unknown) => e)
    expect(isKeywayError(error) && error.code).toBe('ERR_STORAGE')
    // The previous user's token is gone rather than restored at the next launch.
    expect(await storage.get('keyway:app')).toBeUndefined()
    await secureStoreStorage(store, { maxValueBytes: 8192 }).set('keyway:app', big)
    expect((await storage.get('keyway:app'))?.userId).toBe('user_2')
  })

  it('wraps native failures in ERR_STORAGE with the cause', async () => {
    const store = fakeSecureStore()
    const cause = new Error('User interaction is not allowed.')
    store.getItemAsync = async () => {
      throw cause
    }
    const error = await secureStoreStorage(store)
      .get('k')
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_STORAGE', cause })
  })

  it('a session with a too-large token keeps working in memory and logs the storage failure', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
    const store = fakeSecureStore()
    const platform = reactNativePlatform({
      AppState: fakeAppState(),
      storage: secureStoreStorage(store, { maxValueBytes: 100 }),
      clock: t.platform,
      logger: t.platform.logger,
    })
    const session = createSession({ connector, platform })
    expect(await session.getToken()).toBe(connector.minted[0])
    expect(store.data.size).toBe(0)
    expect(t.logs.some((l) => l.message.includes('storage failed'))).toBe(true)
    session.dispose()
  })

  it('a relaunch restores the token from SecureStore without a network call', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
    const store = fakeSecureStore()
    const launch = () =>
      createSession({
        connector,
        platform: reactNativePlatform({
          AppState: fakeAppState(),
          storage: secureStoreStorage(store),
          clock: t.platform,
        }),
      })
    const first = launch()
    const token = await first.getToken()
    first.dispose()
    const second = launch()
    expect(await second.getToken()).toBe(token)
    expect(connector.callCount).toBe(1)
    second.dispose()
  })
})

describe('asyncStorageStorage', () => {
  it('wraps failures in ERR_STORAGE with the cause', async () => {
    const store = fakeAsyncStorage()
    const cause = new Error('database or disk is full')
    store.setItem = async () => {
      throw cause
    }
    const error = await asyncStorageStorage(store)
      .set('k', stored)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_STORAGE', cause })
  })
})
