import { fromPreset, hostOf, type PresetData, type PresetOptions } from './preset.js'

/** Auth0 access tokens, from the PowerSync, Neon and Jazz tables. */
export const auth0Preset: PresetData = {
  id: 'auth0',
  name: 'Auth0',
  call: 'auth0({ domain, audience })',
  jwksUrl: 'https://{domain}/.well-known/jwks.json',
  issuer: 'https://{domain}/',
  audienceRequired: true,
  audienceRule:
    '**required**: your API identifier (or, for ID tokens, the client id): one tenant serves many apps',
  sub: '`auth0|<id>` (`<connection>|<id>` for social logins)',
  algorithms: ['RS256'],
}

/**
 * Auth0 access tokens. `audience` is required: one tenant's keys sign the tokens of every
 * application and API in it, so only `aud` says a token is for yours (the API identifier;
 * the client must request it, or Auth0 issues opaque tokens that no JWKS can verify).
 *
 * @example
 * ```ts
 * auth0({ domain: 'dev-abc123.us.auth0.com', audience: 'https://api.example.com' })
 * ```
 */
export function auth0(options: { domain: string } & PresetOptions) {
  return fromPreset(auth0Preset, { domain: hostOf(options.domain) }, options)
}
