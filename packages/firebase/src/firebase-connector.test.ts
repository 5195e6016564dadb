import { createSession, isKeywayError } from '@keyway/core'
import { createTestPlatform, waitFor } from '@keyway/core/testing'
import {
  type ConformanceSubject,
  runConnectorConformance,
  runErrorMapping,
  runSessionSurvival,
} from '@keyway/core/testing/vitest'
import { deleteApp, FirebaseError, initializeApp } from 'firebase/app'
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
import { type FirebaseAuthLike, firebaseConnector } from './firebase-connector.js'
import { toKeywayFirebaseError } from './firebase-errors.js'

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

/** The conformance subject over the emulator; `over` is the Auth the connector sees. */
function emulatorSubject(name: string, over: (auth: Auth) => FirebaseAuthLike): ConformanceSubject {
  return {
    name,
    async setup() {
      const auth = newAuth()
      const run = ++apps
      return {
        connector: firebaseConnector(over(auth)),
        controls: {
          signIn: (user) => signIn(auth, `${user}-${run}@keyway.test`),
          signOut: () => auth.signOut(),
          beforeForceRefresh: secondTick,
          outage: async (down) => (down ? proxy.down() : proxy.up()),
          revoke: async () => {
            await emulator.disableUser(auth.currentUser!.uid)
          },
          // Firebase's own refresh: during an outage it fails and keeps the user.
          poll: async () => {
            await auth.currentUser?.getIdToken(true).catch(() => undefined)
          },
        },
      }
    },
    teardown: async () => {
      proxy.up()
    },
  }
}

runConnectorConformance(emulatorSubject('firebase (real Auth emulator)', (auth) => auth))

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
    const fetches = session.getSnapshot().counters.fetches
    await signIn(auth, `second-${Date.now()}@keyway.test`)
    // Firebase tells its listeners asynchronously: wait (bounded) until the session has heard
    // of the switch and called for the new user's token, not a fixed time.
    await waitFor(() => session.getSnapshot().counters.fetches > fetches)
    for (let i = 0; i < 5; i++) expect(await session.getToken()).not.toBe(first)
    expect(session.getSnapshot().userId).not.toBe(firstUser)
    expect(session.getSnapshot().userId).toBe(auth.currentUser!.uid)
    session.dispose()
    await deleteApp(auth.app)
  })
})

const firebaseError = (code: string) => new FirebaseError(code, `Firebase: Error (${code}).`)
runErrorMapping({
  name: 'toKeywayFirebaseError (FirebaseError from firebase/app)',
  map: toKeywayFirebaseError,
  failures: {
    network: [firebaseError('auth/network-request-failed')],
    timeout: [firebaseError('auth/timeout')],
    serverError: [firebaseError('auth/internal-error')],
    rateLimited: [firebaseError('auth/too-many-requests')],
    rateLimitedFor7s: [], // FirebaseError carries no Retry-After
    revoked: ['auth/user-disabled', 'auth/user-token-expired', 'auth/user-not-found'].map(
      firebaseError,
    ),
    setup: [firebaseError('auth/invalid-api-key'), firebaseError('auth/app-not-authorized')],
  },
})

// Firebase on React Native. @react-native-firebase/auth is a native module: its JS layer
// calls into iOS/Android and does not load in Node. The connector is typed against its real
// `Auth` (examples/react-native/src/firebase.ts type-checks `firebaseConnector(getAuth())`);
// here it runs over a thin adapter that exposes exactly those members, answered by the
// firebase JS SDK against the same Auth emulator.
function asReactNativeFirebase(auth: Auth): FirebaseAuthLike {
  return {
    get currentUser() {
      return auth.currentUser
    },
    authStateReady: () => auth.authStateReady(),
    onIdTokenChanged: (next) => auth.onIdTokenChanged(next),
    signOut: () => auth.signOut(),
  }
}
const RN =
  'firebase on React Native (RNFB types; thin adapter to the firebase JS SDK, real Auth emulator)'

runConnectorConformance(emulatorSubject(RN, asReactNativeFirebase))

runSessionSurvival({
  name: RN,
  async signedIn(user) {
    const auth = newAuth()
    const run = ++apps
    await signIn(auth, `rn-${user}-${run}@keyway.test`)
    return {
      connector: firebaseConnector(asReactNativeFirebase(auth)),
      async switchTo(next) {
        await signIn(auth, `rn-${next}-${run}@keyway.test`)
        return auth.currentUser!.uid
      },
      async revoke() {
        await emulator.disableUser(auth.currentUser!.uid)
        await secondTick()
      },
    }
  },
  outage: async (down) => (down ? proxy.down() : proxy.up()),
})
