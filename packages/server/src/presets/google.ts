import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** Google Identity ID tokens, from the PowerSync and Neon tables. */
export const googlePreset: PresetData = {
  id: 'google',
  name: 'Google Identity',
  call: 'google({ clientId })',
  jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
  issuer: ['https://accounts.google.com', 'accounts.google.com'],
  audience: '{clientId}',
  audienceRequired: true,
  audienceRule: '**required**: `{clientId}` (your OAuth 2.0 client id)',
  sub: 'numeric Google account id',
  algorithms: ['RS256'],
}

/**
 * Google Identity (Sign in with Google) ID tokens. The audience (your OAuth 2.0 client id)
 * is always checked: every Google ID token in the world shares these keys.
 *
 * @example
 * ```ts
 * google({ clientId: '1234-abc.apps.googleusercontent.com' })
 * ```
 */
export function google(options: { clientId: string } & PresetOptions) {
  return fromPreset(googlePreset, { clientId: options.clientId }, options)
}
