// The page of the Chromium upgrade test: a tiny local-first app. The guest key lives in
// IndexedDB, the upgrade step and the local rows in localStorage (shared by every tab).

import { betterAuthConnector } from '@keyway/better-auth'
import { browserPlatform } from '@keyway/browser'
import { indexedDbDeviceKeyStore } from '@keyway/browser/anonymous'
import { authFetch, createSession } from '@keyway/core'
import {
  anonymousIdentity,
  createUpgrade,
  keyValueUpgradeStore,
  type UpgradeRecord,
  type UpgradeResult,
} from '@keyway/core/anonymous'
import { createAuthClient } from 'better-auth/client'
import { jwtClient } from 'better-auth/client/plugins'

interface LocalNote {
  id: string
  owner: string
  body: string
  synced: boolean
}

declare global {
  interface Window {
    app: {
      ready: boolean
      error?: string
      results: UpgradeResult[]
      errors: string[]
      /** Set when onUpgrade starts: the tab is inside the link's last steps. */
      reowning: boolean
      status(): string
      userId(): string | null
      guestId(): Promise<string | undefined>
      state(): Promise<UpgradeRecord | undefined>
      write(body: string): Promise<void>
      sync(): Promise<void>
      list(): Promise<Array<{ id: string; owner: string; body: string }>>
      local(): LocalNote[]
      signUp(email: string): Promise<void>
      /** Starts `upgrade.watch` (with `?watch=later`). */
      watch?(): void
    }
  }
}

const params = new URLSearchParams(location.search)
const AUDIENCE = 'keyway-upgrade-test'

const readLocal = (): LocalNote[] => JSON.parse(localStorage.getItem('notes') ?? '[]')
const writeLocal = (notes: LocalNote[]) => localStorage.setItem('notes', JSON.stringify(notes))

const authClient = createAuthClient({ baseURL: location.origin, plugins: [jwtClient()] })
const platform = browserPlatform()
const identity = anonymousIdentity({
  audience: AUDIENCE,
  keyStore: indexedDbDeviceKeyStore(),
  now: platform.wallNow,
})
const session = createSession({
  connector: betterAuthConnector(authClient),
  platform,
  anonymous: identity,
})
const api = authFetch(session)

const upgrade = createUpgrade({
  identity,
  linkUrl: `${location.origin}/link`,
  store: keyValueUpgradeStore(localStorage),
  async flushPending({ from, token }) {
    for (const note of readLocal()) {
      if (note.owner !== from || note.synced) continue
      const res = await fetch('/notes', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: note.id, body: note.body }),
      })
      if (!res.ok) throw new Error(`push answered ${res.status}`)
      writeLocal(readLocal().map((n) => (n.id === note.id ? { ...n, synced: true } : n)))
    }
  },
  async onUpgrade({ from, to }) {
    window.app.reowning = true
    // `?hang=reown`: this tab never finishes re-owning (it will be closed mid-step).
    if (params.get('hang') === 'reown') await new Promise(() => {})
    writeLocal(readLocal().map((n) => (n.owner === from ? { ...n, owner: to } : n)))
  },
})

window.app = {
  ready: false,
  results: [],
  errors: [],
  reowning: false,
  status: () => session.getSnapshot().status,
  userId: () => session.getSnapshot().userId,
  guestId: () => identity.currentId(),
  state: () => upgrade.getState(),
  async write(body) {
    await session.getToken()
    const owner = session.getSnapshot().userId!
    writeLocal([...readLocal(), { id: crypto.randomUUID(), owner, body, synced: false }])
  },
  async sync() {
    const owner = session.getSnapshot().userId
    for (const note of readLocal()) {
      if (note.synced || note.owner !== owner) continue
      const res = await api('/notes', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: note.id, body: note.body }),
      })
      if (!res.ok) throw new Error(`sync answered ${res.status}`)
      writeLocal(readLocal().map((n) => (n.id === note.id ? { ...n, synced: true } : n)))
    }
  },
  async list() {
    const res = await api('/notes')
    return ((await res.json()) as { notes: Array<{ id: string; owner: string; body: string }> })
      .notes
  },
  local: readLocal,
  async signUp(email) {
    const { error } = await authClient.signUp.email({
      email,
      password: 'correct horse battery staple',
      name: email,
    })
    if (error) throw new Error(`sign-up failed: ${error.status}`)
    await session.refresh()
  },
}

function watch() {
  upgrade.watch(session, {
    onResult: (result) => window.app.results.push(result),
    onError: (error) =>
      window.app.errors.push(`${error.code}:${(error as { reason?: string }).reason}`),
  })
}
// `?watch=later`: this tab starts watching only when told (so the test decides which tab upgrades).
if (params.get('watch') === 'later') window.app.watch = watch
else watch()

session
  .getToken()
  .then(() => {
    window.app.ready = true
  })
  .catch((e: unknown) => {
    window.app.error = String(e)
  })
