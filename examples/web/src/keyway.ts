import { betterAuthConnector } from '@keyway/better-auth'
import { browserPlatform } from '@keyway/browser'
import { indexedDbDeviceKeyStore } from '@keyway/browser/anonymous'
import { authFetch, createSession } from '@keyway/core'
import {
  anonymousIdentity,
  createUpgrade,
  type UpgradeRecord,
  type UpgradeStore,
} from '@keyway/core/anonymous'
import { devtoolsPlatform } from '@keyway/devtools/production'
import { createAuthClient } from 'better-auth/client'
import { jwtClient } from 'better-auth/client/plugins'
import { openDB } from 'idb'

/** The demo's one session, created once at module load (never inside a component). */
export const authClient = createAuthClient({ baseURL: location.origin, plugins: [jwtClient()] })

export const identity = anonymousIdentity({
  audience: 'keyway-demo',
  keyStore: indexedDbDeviceKeyStore(),
  // Short, so a guest sees a refresh within a minute (the default is 600 s).
  lifetimeSec: 30,
})

/** The browser platform with the devtools panel's fault switches (offline, expire now). */
export const debug = devtoolsPlatform(browserPlatform({ logger: console }))

export const session = createSession({
  connector: betterAuthConnector(authClient),
  platform: debug.platform,
  anonymous: identity,
})

export const api = authFetch(session)

/** The upgrade's progress survives reloads in IndexedDB. */
function indexedDbUpgradeStore(): UpgradeStore {
  const db = openDB('keyway-demo-upgrade', 1, { upgrade: (d) => d.createObjectStore('upgrade') })
  return {
    get: async () => (await db).get('upgrade', 'current') as Promise<UpgradeRecord | undefined>,
    set: async (record) => {
      await (await db).put('upgrade', record, 'current')
    },
    delete: async () => {
      await (await db).delete('upgrade', 'current')
    },
  }
}

export const upgradeEvents = new EventTarget()

export const upgrade = createUpgrade({
  identity,
  linkUrl: `${location.origin}/api/link`,
  store: indexedDbUpgradeStore(),
  // The demo writes straight to the API, so nothing is pending; an offline-first app flushes its outbox here.
  flushPending: async () => {},
  onUpgrade: async (event) => {
    upgradeEvents.dispatchEvent(new CustomEvent('upgraded', { detail: event }))
  },
})
upgrade.watch(session, { onError: (error) => console.warn('[demo] upgrade failed', error.code) })
