import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** Azure AD / Microsoft Entra ID v2.0 tokens, from the PowerSync and Neon tables. */
export const azureAdPreset: PresetData = {
  id: 'azure-ad',
  name: 'Azure AD / Microsoft Entra ID',
  call: 'azureAd({ tenantId, audience })',
  jwksUrl: 'https://login.microsoftonline.com/{tenantId}/discovery/v2.0/keys',
  issuer: 'https://login.microsoftonline.com/{tenantId}/v2.0',
  audienceRequired: true,
  audienceRule:
    "**required**: your API's client id or Application ID URI (every app of the tenant shares the keys)",
  sub: 'pairwise id per app (`oid` is the tenant-wide one)',
  algorithms: ['RS256'],
}

/**
 * Azure AD / Microsoft Entra ID v2.0 tokens for one tenant. `audience` is required: every
 * app in the tenant gets tokens from the same keys, and only `aud` says the token is for yours.
 *
 * @example
 * ```ts
 * azureAd({ tenantId: '12345678-1234-1234-1234-1234567890ab', audience: 'api://my-api' })
 * ```
 */
export function azureAd(options: { tenantId: string } & PresetOptions) {
  return fromPreset(azureAdPreset, { tenantId: options.tenantId }, options)
}
