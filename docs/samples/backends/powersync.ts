import { authFetch, createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { powerSyncConnector } from '@keyway/powersync'
import type { CommonPowerSyncDatabase, PowerSyncBackendConnector } from '@powersync/common'

// Any connector works; PowerSync verifies the token against the JWKS URI set in its dashboard.
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })
const api = authFetch(session)

export const connector: PowerSyncBackendConnector = powerSyncConnector(session, {
  endpoint: 'https://my-instance.powersync.journeyapps.com',
  // Your backend applies local writes; authFetch sends the same session's token with them.
  uploadData: async (database) => {
    const transaction = await database.getNextCrudTransaction()
    if (!transaction) return
    const res = await api('/api/powersync/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(transaction.crud.map((entry) => entry.toJSON())),
    })
    // Throwing makes PowerSync retry the batch later; completing drops it from the queue.
    if (!res.ok) throw new Error(`upload failed: ${res.status}`)
    await transaction.complete()
  },
})

// With your PowerSync database (from @powersync/web, @powersync/react-native, …).
export async function startSync(db: CommonPowerSyncDatabase): Promise<void> {
  await db.connect(connector)
}
