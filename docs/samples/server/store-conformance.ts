import type { LinkStore } from '@keyway/server'
import { runLinkStoreConformance } from '@keyway/server/testing'
import { describe, it } from 'vitest'

/** Your store over another database: two handles on one backing state, as two servers have. */
declare function redisLinkStore(url: string): LinkStore

runLinkStoreConformance({ describe, it }, 'Redis', async () => ({
  a: redisLinkStore('redis://127.0.0.1:6379'),
  b: redisLinkStore('redis://127.0.0.1:6379'),
}))
