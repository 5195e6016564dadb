import type { JWTPayload } from 'jose'
import type { ProviderConfig } from './presets/preset.js'
import { VerificationError } from './verification-error.js'

/** Claims a provider pins to fixed values (Cognito's `token_use` and `client_id`). */
export function checkRequiredClaims(provider: ProviderConfig, claims: JWTPayload): void {
  for (const [name, expected] of Object.entries(provider.requiredClaims ?? {})) {
    const accepted: readonly string[] = typeof expected === 'string' ? [expected] : expected
    if (!accepted.includes(claims[name] as string))
      throw new VerificationError(
        'claim_mismatch',
        `The token's "${name}" claim is not accepted here`,
      )
  }
}
