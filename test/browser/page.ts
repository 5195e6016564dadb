// The page every browser test loads: one keyway session per tab, state exposed on window.

import { browserPlatform } from '@keyway/browser'
import { indexedDbDeviceKeyStore } from '@keyway/browser/anonymous'
import { createSession, decodeJwt, type Session } from '@keyway/core'
import { anonymousIdentity } from '@keyway/core/anonymous'
import { httpConnector } from '@keyway/http'

const params = new URLSearchParams(location.search)
const tab = params.get('tab') ?? '0'
const started = performance.now()

/** What a tab's app saw when it asked for a token (every 250 ms). */
export interface Sample {
  at: number
  status: string
  tokenExp: number | null
  error: string | null
  /** When getToken answered (wall-clock ms). */
  handedAt: number
  /** The expiry the session claims for the token (`peek().expiresAt`), when it still holds it. */
  claimedExp?: number
}

declare global {
  interface Window {
    keyway: {
      session?: Session
      tab: string
      samples: Sample[]
      firstTokenAt?: number
      /** Wall-clock ms of the page's start and of its first token. */
      startedWall: number
      firstTokenWall?: number
      firstToken?: string
      anonymousId?: string
      /** When the page last saw the `online` event. */
      onlineAt?: number
      privateKeyExportable?: boolean
      error?: string
    }
  }
}

window.keyway = { tab, samples: [], startedWall: Date.now() }
window.addEventListener('online', () => {
  window.keyway.onlineAt = Date.now()
})

async function main(): Promise<void> {
  if (params.get('mode') === 'device-key') {
    const identity = anonymousIdentity({
      audience: 'keyway-browser-test',
      keyStore: indexedDbDeviceKeyStore(),
    })
    window.keyway.anonymousId = await identity.getId()
    // Page script tries to steal the private key straight out of IndexedDB.
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('keyway-device')
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    const pair = await new Promise<CryptoKeyPair>((resolve, reject) => {
      const req = db.transaction('device-key').objectStore('device-key').get('current')
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    window.keyway.privateKeyExportable = await crypto.subtle.exportKey('jwk', pair.privateKey).then(
      () => true,
      () => false,
    )
    return
  }

  const session = createSession({
    connector: httpConnector({ url: '/token', headers: { 'x-tab': tab } }),
    platform: browserPlatform({
      persist: params.get('persist') === 'memory' ? 'memory' : 'indexeddb',
      wakeCheckMs: 1_000,
    }),
  })
  window.keyway.session = session
  const first = await session.getToken()
  window.keyway.firstTokenAt = performance.now() - started
  window.keyway.firstTokenWall = Date.now()
  window.keyway.firstToken = first

  // Like an app making a request every 250 ms: what token would it send?
  setInterval(async () => {
    const at = Date.now()
    try {
      const token = await session.getToken()
      const held = session.peek()
      window.keyway.samples.push({
        at,
        status: session.getSnapshot().status,
        tokenExp: decodeJwt(token).payload.exp! * 1000,
        error: null,
        handedAt: Date.now(),
        ...(held?.token === token && held.expiresAt !== undefined
          ? { claimedExp: held.expiresAt }
          : {}),
      })
    } catch (e) {
      window.keyway.samples.push({
        at,
        status: session.getSnapshot().status,
        tokenExp: null,
        error: (e as { code?: string }).code ?? 'unknown',
        handedAt: Date.now(),
      })
    }
  }, 250)
}

main().catch((e) => {
  window.keyway.error = String(e)
})
