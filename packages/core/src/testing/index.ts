export {
  type ConformanceControls,
  type ConformanceSubject,
  fetchOptions,
  runConnectorConformance,
} from './conformance.js'
export { DoubleWebSocket } from './double-socket.js'
export {
  createFakeConnector,
  type FakeConnector,
  type FakeConnectorOptions,
} from './fake-connector.js'
export { createMemoryCrossTab, createMemoryStorage } from './memory-tabs.js'
export {
  countReasons,
  createOutageMeter,
  type OutageMeter,
  sleep,
  waitFor,
} from './real-time.js'
export {
  runSessionSurvival,
  type SurvivalClient,
  type SurvivalSubject,
} from './session-survival.js'
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
