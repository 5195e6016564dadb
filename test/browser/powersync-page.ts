// The real PowerSync web client in the page: @powersync/web's PowerSyncDatabase over its wa-sqlite
// WASM build, in the page's own thread (no web or shared worker), syncing from the endpoint given
// in the URL with credentials from a keyway session through @keyway/powersync.

import { browserPlatform } from '@keyway/browser'
import { createSession, type Session } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { powerSyncConnector } from '@keyway/powersync'
import {
  column,
  PowerSyncDatabase,
  Schema,
  SyncStreamConnectionMethod,
  Table,
} from '@powersync/web'

declare global {
  interface Window {
    powerSyncPage: {
      session: Session
      /** How often PowerSync asked the connector for credentials. */
      asks: number
      /** The synced rows' `n`, in order, from the page's SQLite. */
      rows(): Promise<number[]>
      synced?: boolean
      error?: string
    }
  }
}

const params = new URLSearchParams(location.search)
const endpoint = params.get('endpoint')!
/**
 * `shared`: PowerSync's default on desktop Chromium, the database and the sync client in its
 * prebuilt worker (a SharedWorker), which calls the connector in this tab through messages.
 * Otherwise all in the page's own thread.
 */
const shared = params.get('mode') === 'shared'

const session = createSession({
  connector: httpConnector({ url: '/token' }),
  platform: browserPlatform({ persist: 'memory' }),
})
const db = new PowerSyncDatabase({
  schema: new Schema({ items: new Table({ n: column.integer }) }),
  database: shared
    ? { dbFilename: 'sync.db', enableMultiTabs: true, worker: '/worker/worker.js' }
    : { dbFilename: 'sync.db', useWebWorker: false, enableMultiTabs: false },
  ...(shared ? { sync: { worker: '/worker/worker.js' } } : {}),
})
const ps = powerSyncConnector(session, { endpoint, uploadData: async () => {} })
const page: Window['powerSyncPage'] = {
  session,
  asks: 0,
  rows: async () =>
    (await db.getAll<{ n: number }>('SELECT n FROM items ORDER BY n')).map((row) => row.n),
}
window.powerSyncPage = page

async function main(): Promise<void> {
  await db.connect(
    {
      ...ps,
      fetchCredentials: () => {
        page.asks++
        return ps.fetchCredentials()
      },
    },
    // PowerSync waits this long after a failed stream (default 5 s) before it asks again.
    { connectionMethod: SyncStreamConnectionMethod.HTTP, retryDelayMs: 300 },
  )
  await db.waitForFirstSync()
  page.synced = true
}

main().catch((error) => {
  page.error = String(error)
})
