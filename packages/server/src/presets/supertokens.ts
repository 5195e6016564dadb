import { fromPreset, type PresetData, type PresetOptions, trimSlash } from './preset.js'

/** SuperTokens, from the PowerSync and Neon tables. */
export const superTokensPreset: PresetData = {
  id: 'supertokens',
  name: 'SuperTokens',
  call: 'superTokens({ coreUrl, apiDomain })',
  jwksUrl: '{coreUrl}/.well-known/jwks.json',
  issuer: '{apiDomain}{apiBasePath}',
  audienceRequired: false,
  audienceRule: 'none by default',
  sub: 'user id',
}

/**
 * SuperTokens access tokens. Keys come from the core (`coreUrl`, the core connection URI);
 * `iss` is your API domain plus its auth base path (`/auth` by default).
 *
 * @example
 * ```ts
 * superTokens({ coreUrl: 'https://try.supertokens.io', apiDomain: 'https://api.example.com' })
 * ```
 */
export function superTokens(
  options: { coreUrl: string; apiDomain: string; apiBasePath?: string } & PresetOptions,
) {
  return fromPreset(
    superTokensPreset,
    {
      coreUrl: options.coreUrl && trimSlash(options.coreUrl),
      apiDomain: options.apiDomain && trimSlash(options.apiDomain),
      apiBasePath: trimSlash(options.apiBasePath ?? '/auth') || '/',
    },
    options,
  )
}
