import { createSession, isKeywayError } from '@keyway/core'
import { createTestPlatform } from '@keyway/core/testing'
import { runConnectorConformance } from '@keyway/core/testing/vitest'
import { deleteApp, initializeApp } from 'firebase/app'
import {
  type Auth,
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  initializeAuth,
  inMemoryPersistence,
  signInWithEmailAndPassword,
} from 'firebase/auth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ID, startAuthEmulator } from '../test/auth-emulator.js'
import { startTcpProxy } from '../test/tcp-proxy.js'
import { firebaseConnector } from './firebase-connector.js'

// The real Firebase Auth emulator (firebase-tools) on loopback; the SDK reaches it through a
// TCP proxy that can cut it off, so an outage needs no restart.
let emulator: Awaited<ReturnType<typeof startAuthEmulator>>
let proxy: Awaited<ReturnType<typeof startTcpProxy>>
let apps = 0

beforeAll(async () => {
  emulator = await startAuthEmulator()
  proxy = await startTcpProxy(emulator.port)
}, 90_000)
afterAll(async () => {
  await proxy?.close()
  await emulator?.stop()
}, 30_000)

function newAuth(port = proxy.port): Auth {
  const app = initializeApp(
    { apiKey: 'demo-api-key', projectId: PROJECT_ID, authDomain: `${PROJECT_ID}.firebaseapp.com` },
    `app-${++apps}`,
  )
  const auth = initializeAuth(app, { persistence: inMemoryPersistence })
  connectAuthEmulator(auth, `http://127.0.0.1:${port}`, { disableWarnings: true })
  return auth
}

const PASSWORD = 'correct horse battery'
async function signIn(auth: Auth, email: string) {
  await createUserWithEmailAndPassword(auth, email, PASSWORD).catch(() =>
    signInWithEmailAndPassword(auth, email, PASSWORD),
  )
}

// iat has one-second resolution: let it tick so a forced token differs.
const secondTick = (): Promise<void> => new Promise((r) => setTimeout(r, 1_100))

runConnectorConformance({
  name: 'firebase (real Auth emulator)',
  async setup() {
    const auth = newAuth()
    const run = ++apps
    return {
      connector: firebaseConnector(auth),
      controls: {
        signIn: (user) => signIn(auth, `${user}-${run}@keyway.test`),
        signOut: () => auth.signOut(),
        beforeForceRefresh: secondTick,
        outage: async (down) => (down ? proxy.down() : proxy.up()),
        revoke: async () => {
          await emulator.disableUser(auth.currentUser!.uid)
        },
      },
    }
  },
  teardown: async () => {
    proxy.up()
  },
})

describe('a Session on firebaseConnector (real Auth emulator)', () => {
  it('the emulator stops mid-session: token kept, status unchanged; restarted: recovers', async () => {
    const auth = newAuth(emulator.port)
    await signIn(auth, `outage-${Date.now()}@keyway.test`)
    const t = createTestPlatform({ startWall: Date.now() })
    const session = createSession({ connector: firebaseConnector(auth), platform: t.platform })
    const token = await session.getToken()
    await emulator.stop()
    const error = await session.refresh().catch((e) => e)
    expect(isKeywayError(error, 'ERR_NETWORK')).toBe(true)
    expect(session.getSnapshot().status).toBe('authenticated')
    expect(await session.getToken()).toBe(token)
    await emulator.start()
    await secondTick()
    await t.clock.advance(61_000) // past the backoff and the call window
    const renewed = await session.refresh()
    expect(renewed?.token).not.toBe(token)
    expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', lastError: null })
    session.dispose()
  }, 120_000)

  it('a disabled account: status error with ERR_REVOKED, and no retry loop', async () => {
    const auth = newAuth()
    await signIn(auth, `disabled-${Date.now()}@keyway.test`)
    const t = createTestPlatform({ startWall: Date.now() })
    const connector = firebaseConnector(auth)
    let calls = 0
    const counted = {
      ...connector,
      fetchCredentials(o: Parameters<typeof connector.fetchCredentials>[0]) {
        calls++
        return connector.fetchCredentials(o)
      },
    }
    const session = createSession({ connector: counted, platform: t.platform })
    await session.getToken()
    await emulator.disableUser(auth.currentUser!.uid)
    await secondTick()
    await session.refresh().catch(() => undefined)
    const status = session.getSnapshot().status
    expect(['error', 'signedOut']).toContain(status)
    if (status === 'error') expect(session.getSnapshot().lastError?.code).toBe('ERR_REVOKED')
    const before = calls
    await t.clock.advance(30 * 60_000)
    expect(calls - before).toBeLessThanOrEqual(1)
    session.dispose()
  })

  it('a user switch: new userId, the old token never handed out again', async () => {
    const auth = newAuth()
    await signIn(auth, `first-${Date.now()}@keyway.test`)
    const session = createSession({
      connector: firebaseConnector(auth),
      platform: createTestPlatform({ startWall: Date.now() }).platform,
    })
    const first = await session.getToken()
    const firstUser = session.getSnapshot().userId
    await signIn(auth, `second-${Date.now()}@keyway.test`)
    await new Promise((r) => setTimeout(r, 50))
    for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(first)
    expect(session.getSnapshot().userId).not.toBe(firstUser)
    expect(session.getSnapshot().userId).toBe(auth.currentUser!.uid)
    session.dispose()
    await deleteApp(auth.app)
  })
})
