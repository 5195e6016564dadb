// The shared suites every connector's tests run, bound to Vitest (they call describe/it/expect
// at import time of the caller's test file). Kept apart from `@keyway/core/testing` so that the
// fake clock, the token minter and the fake connector load without Vitest installed.
export {
  type ConformanceControls,
  type ConformanceSubject,
  runConnectorConformance,
} from './conformance.js'
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
export { captureUnhandledRejections } from './unhandled-rejections.js'
