export {
  type ConformanceControls,
  type ConformanceSubject,
  fetchOptions,
  runConnectorConformance,
} from './conformance.js'
export {
  createFakeConnector,
  type FakeConnector,
  type FakeConnectorOptions,
} from './fake-connector.js'
export { createMemoryCrossTab, createMemoryStorage } from './memory-tabs.js'
export {
  type ErrorMappingSubject,
  PROVIDER_FAILURES,
  type ProviderFailure,
  runErrorMapping,
} from './provider-failures.js'
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
