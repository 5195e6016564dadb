import { fromPreset, type PresetData, type PresetOptions, trimSlash } from './preset.js'

/** PropelAuth access tokens, from the Neon table. */
export const propelAuthPreset: PresetData = {
  id: 'propelauth',
  name: 'PropelAuth',
  call: 'propelAuth({ authUrl })',
  jwksUrl: '{authUrl}/.well-known/jwks.json',
  issuer: '{authUrl}',
  audienceRequired: false,
  audienceRule: 'none by default',
  sub: 'user UUID',
}

/**
 * PropelAuth access tokens. `authUrl` is the project's Auth URL (Backend Integration page).
 *
 * @example
 * ```ts
 * propelAuth({ authUrl: 'https://3211758.propelauthtest.com' })
 * ```
 */
export function propelAuth(options: { authUrl: string } & PresetOptions) {
  return fromPreset(
    propelAuthPreset,
    { authUrl: options.authUrl && trimSlash(options.authUrl) },
    options,
  )
}
