// base64url is the guest identity's encoding (device keys, JWS, seeds); the session itself
// only decodes JWTs, internally.
export { base64UrlToBytes, bytesToBase64Url, stringToBase64Url } from '../base64url.js'
export {
  ANONYMOUS_ISSUER,
  ANONYMOUS_TOKEN_TYP,
  type AnonymousIdentity,
  type AnonymousIdentityCommonOptions,
  type AnonymousIdentityOptions,
  anonymousIdentity,
  LINK_PROOF_TYP,
  type LinkProofInput,
} from './anonymous-identity.js'
export {
  type DeviceKey,
  type DeviceKeyStore,
  type DeviceKeys,
  generateDeviceKeyPair,
  memoryDeviceKeyStore,
  webCryptoDeviceKey,
  webCryptoDeviceKeys,
} from './device-key.js'
export { jwkThumbprint, type Sha256, sha256Base64Url, webCryptoSha256 } from './jws.js'
export { UpgradeError } from './link-client.js'
export {
  createUpgrade,
  type GuestCredentials,
  type Upgrade,
  type UpgradeOptions,
  type UpgradeWatchHandlers,
} from './upgrade.js'
export {
  type KeyValueStorage,
  keyValueUpgradeStore,
  memoryUpgradeStore,
  type UpgradeOutcome,
  type UpgradeRecord,
  type UpgradeResult,
  type UpgradeStore,
} from './upgrade-store.js'
