import { browserPlatform } from '@keyway/browser'
import { indexedDbDeviceKeyStore } from '@keyway/browser/anonymous'
import { createSession } from '@keyway/core'
import {
  anonymousIdentity,
  createUpgrade,
  keyValueUpgradeStore,
  UpgradeError,
} from '@keyway/core/anonymous'
import { httpConnector } from '@keyway/http'

/** The app's local database and outbox (SQLite, IndexedDB, a sync engine's queue…). */
declare const localDb: {
  /** Rows written while offline, not yet on the server. */
  unsynced(owner: string): Promise<Array<{ id: string; body: string }>>
  markSynced(id: string): Promise<void>
  /** `update notes set owner = :to where owner = :from` — running it twice changes nothing. */
  reown(from: string, to: string): Promise<void>
}

const platform = browserPlatform()

// A guest gets a verifiable identity from the first second: no server round trip.
const identity = anonymousIdentity({
  audience: 'https://api.example.com',
  keyStore: indexedDbDeviceKeyStore(),
  now: platform.wallNow,
})
export const session = createSession({
  connector: httpConnector({ url: '/api/token' }),
  platform,
  anonymous: identity,
})

// When the guest signs up or in, everything it wrote follows it.
export const upgrade = createUpgrade({
  identity,
  linkUrl: 'https://api.example.com/link',
  store: keyValueUpgradeStore(localStorage),
  // Before the link: push what the server has not seen yet, as the guest, with client ids.
  async flushPending({ from, token }) {
    for (const row of await localDb.unsynced(from)) {
      const res = await fetch('https://api.example.com/notes', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(row),
      })
      if (!res.ok) throw new Error(`push failed: ${res.status}`)
      await localDb.markSynced(row.id)
    }
  },
  // After the server committed the link: the local rows become the account's.
  onUpgrade: ({ from, to }) => localDb.reown(from, to),
})

upgrade.watch(session, {
  onResult: ({ outcome }) => console.info(`upgrade: ${outcome}`),
  onError: async (error) => {
    // Linked to another account before: the guest keeps its data; let the user decide.
    if (error instanceof UpgradeError && error.reason === 'already_linked') await upgrade.abandon()
  },
})
