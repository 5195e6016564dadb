export {
  ANONYMOUS_ISSUER,
  ANONYMOUS_MAX_FUTURE_IAT_SEC,
  ANONYMOUS_MAX_LIFETIME_SEC,
  ANONYMOUS_TYP,
  type AnonymousOptions,
  type AnonymousTokenClaims,
  type AnonymousTokenHeader,
  anonymousIdFromJwk,
} from './anonymous.js'
export { isCanonicalBase64url } from './compact-jws.js'
export { type JwksOptions, type RemoteKeySet, resilientJwks } from './jwks.js'
export { LINK_REASONS, LinkError, type LinkRejection } from './link-error.js'
export {
  createLinkHandler,
  type LinkBody,
  type LinkEvent,
  type LinkHandler,
  type LinkHandlerOptions,
} from './link-handler.js'
export {
  LINK_PROOF_LIFETIME_SEC,
  LINK_TYP,
  type LinkProofClaims,
  type LinkProofHeader,
  providerTokenHash,
  type VerifiedLinkProof,
  verifyLinkProof,
} from './link-proof.js'
export {
  type NodeHandler,
  type NodeHandlerOptions,
  type NodeRequestLike,
  type NodeResponseLike,
  toNodeHandler,
} from './node-adapter.js'
export {
  auth0,
  azureAd,
  betterAuth,
  clerk,
  cognito,
  custom,
  descope,
  firebase,
  google,
  keycloak,
  PRESETS,
  propelAuth,
  stackAuth,
  stytch,
  supabase,
  superTokens,
  workos,
} from './presets/index.js'
export type { PresetData, PresetOptions, ProviderConfig } from './presets/preset.js'
export { bearerToken } from './request.js'
export type { LinkOutcome, LinkRecord, LinkStore } from './stores/link-store.js'
export { memoryLinkStore } from './stores/memory.js'
export { LINK_STORE_SCHEMA, postgresLinkStore, type SqlQuery } from './stores/postgres.js'
export { DEFAULT_MAX_LIFETIME_SEC } from './token-times.js'
export { type RejectionReason, VerificationError } from './verification-error.js'
export {
  createVerifier,
  type VerifiedToken,
  type Verifier,
  type VerifierOptions,
} from './verifier.js'
