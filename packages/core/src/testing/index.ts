// Test tools that run anywhere (Node, a browser, any test runner): the fake clock and platform,
// the token minter, the fake connector. The suites that need Vitest's describe/it/expect live in
// `@keyway/core/testing/vitest`, so importing this entry never loads Vitest.
export { DoubleWebSocket } from './double-socket.js'
export {
  createFakeConnector,
  type FakeConnector,
  type FakeConnectorOptions,
} from './fake-connector.js'
export { fetchOptions } from './fetch-options.js'
export { createMemoryCrossTab, createMemoryStorage } from './memory-tabs.js'
export {
  countReasons,
  createOutageMeter,
  type OutageMeter,
  shortestRefreshIntervalMs,
  sleep,
  soakLifetimeSec,
  waitFor,
} from './real-time.js'
export {
  createTestPlatform,
  flushPromises,
  type LogLine,
  seededRandom,
  type TestClock,
  type TestPlatform,
  type TestPlatformOptions,
} from './test-platform.js'
export {
  createTokenMinter,
  type MintClaims,
  type TokenMinter,
  type TokenMinterOptions,
} from './token-minter.js'
