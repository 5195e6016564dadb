import { fromPreset, hostOf, type PresetData, type PresetOptions } from './preset.js'

/** Auth0 access tokens, from the PowerSync, Neon and Jazz tables. */
export const auth0Preset: PresetData = {
  id: 'auth0',
  name: 'Auth0',
  call: 'auth0({ domain, audience })',
  jwksUrl: 'https://{domain}/.well-known/jwks.json',
  issuer: 'https://{domain}/',
  audienceRequired: false,
  audienceRule: 'your API identifier (without one Auth0 issues opaque tokens)',
  sub: '`auth0|<id>` (`<connection>|<id>` for social logins)',
  algorithms: ['RS256'],
}

/**
 * Auth0 access tokens. Pass the API identifier as `audience`: the client must request it,
 * or Auth0 issues opaque tokens that no JWKS can verify.
 *
 * @example
 * ```ts
 * auth0({ domain: 'dev-abc123.us.auth0.com', audience: 'https://api.example.com' })
 * ```
 */
export function auth0(options: { domain: string } & PresetOptions) {
  return fromPreset(auth0Preset, { domain: hostOf(options.domain) }, options)
}
