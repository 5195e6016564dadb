import { auth0Preset } from './auth0.js'
import { azureAdPreset } from './azure-ad.js'
import { betterAuthPreset } from './better-auth.js'
import { clerkPreset } from './clerk.js'
import { cognitoPreset } from './cognito.js'
import { descopePreset } from './descope.js'
import { firebasePreset } from './firebase.js'
import { googlePreset } from './google.js'
import { keycloakPreset } from './keycloak.js'
import type { PresetData } from './preset.js'
import { propelAuthPreset } from './propelauth.js'
import { stackAuthPreset } from './stack-auth.js'
import { stytchPreset } from './stytch.js'
import { supabasePreset } from './supabase.js'
import { superTokensPreset } from './supertokens.js'
import { workosPreset } from './workos.js'

export { auth0 } from './auth0.js'
export { azureAd } from './azure-ad.js'
export { betterAuth } from './better-auth.js'
export { clerk } from './clerk.js'
export { cognito } from './cognito.js'
export { custom } from './custom.js'
export { descope } from './descope.js'
export { firebase } from './firebase.js'
export { google } from './google.js'
export { keycloak } from './keycloak.js'
export { propelAuth } from './propelauth.js'
export { stackAuth } from './stack-auth.js'
export { stytch } from './stytch.js'
export { supabase } from './supabase.js'
export { superTokens } from './supertokens.js'
export { workos } from './workos.js'

/**
 * Every preset as data (JWKS URL and issuer templates, audience rule, `sub` format), in the
 * order of the docs table. For admin screens, setup checks and docs.
 *
 * @example
 * ```ts
 * const firebase = PRESETS.find((p) => p.id === 'firebase')
 * console.log(firebase?.jwksUrl, firebase?.audienceRequired) // …securetoken@system…, true
 * ```
 */
export const PRESETS: readonly PresetData[] = [
  supabasePreset,
  firebasePreset,
  clerkPreset,
  workosPreset,
  auth0Preset,
  betterAuthPreset,
  cognitoPreset,
  azureAdPreset,
  keycloakPreset,
  googlePreset,
  stytchPreset,
  superTokensPreset,
  descopePreset,
  propelAuthPreset,
  stackAuthPreset,
]
