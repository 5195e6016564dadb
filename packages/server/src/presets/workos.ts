import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** WorkOS AuthKit access tokens, from the PowerSync, Neon and Jazz tables. */
export const workosPreset: PresetData = {
  id: 'workos',
  name: 'WorkOS AuthKit',
  call: 'workos({ clientId })',
  jwksUrl: 'https://api.workos.com/sso/jwks/{clientId}',
  // Current tokens name the client in `iss`; older ones carry the bare API origin.
  issuer: ['https://api.workos.com/user_management/{clientId}', 'https://api.workos.com'],
  audienceRequired: false,
  audienceRule: 'none by default',
  sub: '`user_<id>`',
  algorithms: ['RS256'],
}

/**
 * WorkOS AuthKit access tokens. With a custom auth domain, pass its `issuer` too.
 *
 * @example
 * ```ts
 * workos({ clientId: 'client_01ABC' })
 * ```
 */
export function workos(options: { clientId: string } & PresetOptions) {
  return fromPreset(workosPreset, { clientId: options.clientId }, options)
}
