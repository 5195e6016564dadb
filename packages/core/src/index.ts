export { type AuthFetchOptions, authFetch } from './auth-fetch.js'
export {
  CONNECTOR_ID_PATTERN,
  type Connector,
  type Credentials,
  type FetchCredentialsOptions,
  type FetchReason,
} from './contract.js'
export {
  isKeywayError,
  KeywayError,
  type KeywayErrorCode,
  type KeywayErrorOptions,
  toKeywayError,
} from './errors.js'
export { type DecodedJwt, decodeJwt, type JwtHeader, type JwtPayload } from './jwt.js'
export {
  type CredentialStorage,
  type CrossTab,
  type CrossTabMessage,
  defaultPlatform,
  type LockResult,
  type Logger,
  type Platform,
  type PlatformEvent,
  type StoredCredentials,
  type TimerHandle,
  toStoredCredentials,
} from './platform.js'
export { DEFAULT_POLICY, type RefreshPolicy } from './policy.js'
export { redactToken } from './redact.js'
export { createSession } from './session/create-session.js'
export type {
  AnonymousSource,
  Session,
  SessionEvent,
  SessionOptions,
  TokenOptions,
} from './session/types.js'
export { abortError, raceSignal } from './signal.js'
export type { SessionCounters, SessionSnapshot, SessionStatus } from './snapshot.js'
