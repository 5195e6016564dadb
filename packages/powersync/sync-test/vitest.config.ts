import { defineConfig } from 'vitest/config'

// The real @powersync/node client needs better-sqlite3's native module, which the registry
// package does not ship prebuilt: `pnpm test:powersync` builds it from source first
// (build-sqlite.mjs), so these tests run outside the default `pnpm test`.
export default defineConfig({
  resolve: { conditions: ['@keyway/source'] },
  ssr: { resolve: { conditions: ['@keyway/source'] } },
  test: {
    name: 'powersync-node',
    root: import.meta.dirname,
    include: ['*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
})
