import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** Descope session tokens, from the Neon table. */
export const descopePreset: PresetData = {
  id: 'descope',
  name: 'Descope',
  call: 'descope({ projectId })',
  jwksUrl: 'https://api.descope.com/{projectId}/.well-known/jwks.json',
  // Newer projects put the URL in `iss`, older ones the bare project id.
  issuer: ['https://api.descope.com/{projectId}', '{projectId}'],
  audienceRequired: false,
  audienceRule: 'none by default',
  sub: 'user id',
}

/**
 * Descope session tokens.
 *
 * @example
 * ```ts
 * descope({ projectId: 'P1234' })
 * ```
 */
export function descope(options: { projectId: string } & PresetOptions) {
  return fromPreset(descopePreset, { projectId: options.projectId }, options)
}
