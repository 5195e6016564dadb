import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** Stack Auth access tokens, from the Neon table. */
export const stackAuthPreset: PresetData = {
  id: 'stack-auth',
  name: 'Stack Auth',
  call: 'stackAuth({ projectId })',
  jwksUrl: 'https://api.stack-auth.com/api/v1/projects/{projectId}/.well-known/jwks.json',
  issuer: 'https://api.stack-auth.com/api/v1/projects/{projectId}',
  audience: '{projectId}',
  audienceRequired: false,
  audienceRule: '`{projectId}`',
  sub: 'user UUID',
}

/**
 * Stack Auth access tokens of signed-in users.
 *
 * @example
 * ```ts
 * stackAuth({ projectId: 'my-awesome-project' })
 * ```
 */
export function stackAuth(options: { projectId: string } & PresetOptions) {
  return fromPreset(stackAuthPreset, { projectId: options.projectId }, options)
}
