import { betterAuthConnector } from '@keyway/better-auth'
import { authFetch, createSession, type Session } from '@keyway/core'
import {
  type AnonymousIdentity,
  anonymousIdentity,
  createUpgrade,
  type DeviceKeyStore,
  keyValueUpgradeStore,
  memoryDeviceKeyStore,
  type Upgrade,
  type UpgradeStore,
} from '@keyway/core/anonymous'
import { createAuthClient } from 'better-auth/client'
import { jwtClient } from 'better-auth/client/plugins'
import { cookieFetch } from '../../support/cookie-fetch.js'
import { AUDIENCE, type Stack } from './stack.js'

export const PASSWORD = 'correct horse battery staple'

/** A row in the app's local database (the local-first copy). */
export interface LocalNote {
  id: string
  owner: string
  body: string
  synced: boolean
}

/**
 * What survives a reload on one device: the cookie jar (the provider session), the device
 * key store, the upgrade's persisted step (a localStorage stand-in) and the local rows.
 */
export function deviceDisk() {
  const strings = new Map<string, string>()
  return {
    cookies: cookieFetch(),
    keyStore: memoryDeviceKeyStore() as DeviceKeyStore,
    upgradeStore: keyValueUpgradeStore({
      getItem: (k) => strings.get(k) ?? null,
      setItem: (k, v) => void strings.set(k, v),
      removeItem: (k) => void strings.delete(k),
    }) as UpgradeStore,
    local: new Map<string, LocalNote>(),
  }
}

export type DeviceDisk = ReturnType<typeof deviceDisk>

/** Faults to inject into the app's upgrade hooks (a crash = the hook throws mid-way). */
export interface Faults {
  /** flushPending pushes this many rows, then crashes before marking the last one synced. */
  flushCrashAfterPushes?: number
  /** onUpgrade re-owns this many rows, then crashes. */
  reownCrashAfter?: number
  /** The link request reaches the server, which commits, then the answer is lost. */
  loseLinkAnswer?: boolean
}

let counter = 0

/**
 * One start of the app on a device: its in-memory objects (identity, session, upgrade) over
 * the device's disk. "Reloading" is dropping this and calling openApp again.
 */
export function openApp(stack: Stack, disk: DeviceDisk, faults: Faults = {}) {
  const authClient = createAuthClient({
    baseURL: stack.url,
    plugins: [jwtClient()],
    fetchOptions: { customFetchImpl: disk.cookies },
  })
  const identity: AnonymousIdentity = anonymousIdentity({
    audience: AUDIENCE,
    keyStore: disk.keyStore,
  })
  const session: Session = createSession({
    connector: betterAuthConnector(authClient),
    anonymous: identity,
  })
  const api = authFetch(session)

  const push = (note: LocalNote, bearer?: string) =>
    fetch(`${stack.url}/notes`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ id: note.id, body: note.body }),
    })

  const linkFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init)
    if (faults.loseLinkAnswer && String(input).endsWith('/link/link') && response.ok) {
      faults.loseLinkAnswer = false
      throw new TypeError('fetch failed: the connection dropped after the server answered')
    }
    return response
  }

  const upgrade: Upgrade = createUpgrade({
    identity,
    linkUrl: stack.linkUrl,
    store: disk.upgradeStore,
    fetch: linkFetch,
    // The guest's unsynced rows go out as the guest, before the link.
    async flushPending({ from, token }) {
      let pushes = 0
      for (const note of disk.local.values()) {
        if (note.owner !== from || note.synced) continue
        const res = await push(note, token)
        if (res.status !== 201 && res.status !== 200) throw new Error(`push answered ${res.status}`)
        if (++pushes === faults.flushCrashAfterPushes) {
          faults.flushCrashAfterPushes = undefined
          throw new Error('crash in flushPending after a push, before marking it synced')
        }
        note.synced = true
      }
    },
    // The local rows of the guest become the account's (idempotent: already moved rows are skipped).
    async onUpgrade({ from, to }) {
      let moved = 0
      for (const note of disk.local.values()) {
        if (note.owner !== from) continue
        if (moved++ === faults.reownCrashAfter) {
          faults.reownCrashAfter = undefined
          throw new Error('crash in onUpgrade half-way through re-owning')
        }
        note.owner = to
      }
    },
  })

  return {
    authClient,
    identity,
    session,
    upgrade,
    disk,
    /** Writes a row locally, owned by whoever is using the app now. */
    async write(body: string): Promise<LocalNote> {
      await session.getToken()
      const owner = session.getSnapshot().userId!
      const note = { id: `n${++counter}-${crypto.randomUUID()}`, owner, body, synced: false }
      disk.local.set(note.id, note)
      return note
    },
    /** Pushes the current user's unsynced rows with the session's token. */
    async sync() {
      const owner = session.getSnapshot().userId
      for (const note of disk.local.values()) {
        if (note.synced || note.owner !== owner) continue
        const res = await api(`${stack.url}/notes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: note.id, body: note.body }),
        })
        if (res.status !== 201 && res.status !== 200) throw new Error(`sync answered ${res.status}`)
        note.synced = true
      }
    },
    /** What the data API shows the current user. */
    async list(): Promise<Array<{ id: string; owner: string; body: string }>> {
      const res = await api(`${stack.url}/notes`)
      if (res.status !== 200) throw new Error(`list answered ${res.status}`)
      return ((await res.json()) as { notes: Array<{ id: string; owner: string; body: string }> })
        .notes
    },
    async signUp(email: string) {
      const { error } = await authClient.signUp.email({ email, password: PASSWORD, name: email })
      if (error) throw new Error(`sign-up failed: ${error.status}`)
      await session.refresh()
    },
    async signIn(email: string) {
      const { error } = await authClient.signIn.email({ email, password: PASSWORD })
      if (error) throw new Error(`sign-in failed: ${error.status}`)
      await session.refresh()
    },
    /** Signs out at Better Auth (its connector has no signOut of its own), then in keyway. */
    async signOut() {
      await authClient.signOut()
      await session.signOut()
    },
    close() {
      upgrade.dispose()
      session.dispose()
    },
  }
}

export type App = ReturnType<typeof openApp>
