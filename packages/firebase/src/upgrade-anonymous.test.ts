import { isKeywayError } from '@keyway/core'
import { initializeApp } from 'firebase/app'
import {
  type Auth,
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  EmailAuthProvider,
  initializeAuth,
  inMemoryPersistence,
  signInAnonymously,
  signInWithCredential,
} from 'firebase/auth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ID, startAuthEmulator } from '../test/auth-emulator.js'
import { upgradeAnonymousUser } from './upgrade-anonymous.js'

// Provider-native anonymous users on the real Firebase Auth emulator.
let emulator: Awaited<ReturnType<typeof startAuthEmulator>>
let apps = 0
beforeAll(async () => {
  emulator = await startAuthEmulator()
}, 90_000)
afterAll(() => emulator?.stop(), 30_000)

function newAuth(): Auth {
  const app = initializeApp({ apiKey: 'demo-api-key', projectId: PROJECT_ID }, `anon-${++apps}`)
  const auth = initializeAuth(app, { persistence: inMemoryPersistence })
  connectAuthEmulator(auth, `http://127.0.0.1:${emulator.port}`, { disableWarnings: true })
  return auth
}

describe('upgradeAnonymousUser (real Firebase Auth emulator)', () => {
  it('promotes: the anonymous uid survives and gains the credential', async () => {
    const auth = newAuth()
    const { user } = await signInAnonymously(auth)
    const email = `promoted-${Date.now()}@keyway.test`
    const result = await upgradeAnonymousUser(
      auth,
      EmailAuthProvider.credential(email, 'correct horse battery'),
    )
    expect(result.outcome).toBe('promoted')
    if (result.outcome !== 'promoted') return
    expect(result.user.uid).toBe(user.uid)
    expect(result.user.isAnonymous).toBe(false)
    expect(result.user.email).toBe(email)
  })

  it('an existing account → linked_existing, the anonymous user still signed in, nothing lost', async () => {
    const email = `existing-${Date.now()}@keyway.test`
    const owner = newAuth()
    const existingUid = (
      await createUserWithEmailAndPassword(owner, email, 'correct horse battery')
    ).user.uid

    const auth = newAuth()
    const guest = (await signInAnonymously(auth)).user
    const result = await upgradeAnonymousUser(
      auth,
      EmailAuthProvider.credential(email, 'correct horse battery'),
    )
    expect(result.outcome).toBe('linked_existing')
    if (result.outcome !== 'linked_existing') return
    expect(result.code).toMatch(/already-in-use/)
    // The guest is not dropped before the app merged: still the current user.
    expect(auth.currentUser?.uid).toBe(guest.uid)
    expect(result.anonymousUser.uid).toBe(guest.uid)
    // The app can then switch to the account with the credential it got back.
    const signedIn = await signInWithCredential(auth, result.credential)
    expect(signedIn.user.uid).toBe(existingUid)
  })

  it('refuses to upgrade when the current user is not anonymous', async () => {
    const auth = newAuth()
    await createUserWithEmailAndPassword(
      auth,
      `plain-${Date.now()}@keyway.test`,
      'correct horse battery',
    )
    const error = await upgradeAnonymousUser(
      auth,
      EmailAuthProvider.credential('x@keyway.test', 'y'.repeat(8)),
    ).catch((e) => e)
    expect(isKeywayError(error, 'ERR_LINK')).toBe(true)
  })
})
