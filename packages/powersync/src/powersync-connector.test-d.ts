import type { Session } from '@keyway/core'
import type { PowerSyncBackendConnector, PowerSyncCredentials } from '@powersync/common'
import { expectTypeOf } from 'vitest'
import { powerSyncConnector } from './index.js'

declare const session: Session
const connector = powerSyncConnector(session, {
  endpoint: 'https://x.test',
  uploadData: async () => {},
})

// What PowerSync's connect() accepts, checked against the installed @powersync/common.
connector satisfies PowerSyncBackendConnector
expectTypeOf(connector.fetchCredentials).returns.toEqualTypeOf<
  Promise<PowerSyncCredentials | null>
>()
expectTypeOf<PowerSyncCredentials['expiresAt']>().toEqualTypeOf<Date | undefined>()
expectTypeOf(powerSyncConnector)
  .parameter(1)
  .toHaveProperty('uploadData')
  .parameter(0)
  .toEqualTypeOf<Parameters<PowerSyncBackendConnector['uploadData']>[0]>()
// uploadData is required: PowerSync calls it after every local write.
// @ts-expect-error uploadData is missing
powerSyncConnector(session, { endpoint: 'https://x.test' })
