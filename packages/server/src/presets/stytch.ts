import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** Stytch session JWTs, from the PowerSync and Neon tables. */
export const stytchPreset: PresetData = {
  id: 'stytch',
  name: 'Stytch',
  call: 'stytch({ projectId, live? })',
  jwksUrl: 'https://{env}.stytch.com/v1/sessions/jwks/{projectId}',
  issuer: ['stytch.com/{projectId}', 'https://{env}.stytch.com'],
  audience: '{projectId}',
  audienceRequired: false,
  audienceRule: '`{projectId}`',
  sub: '`user-{test|live}-<uuid>`',
}

/**
 * Stytch session JWTs. `live: true` for the live environment (`test` otherwise).
 *
 * @example
 * ```ts
 * stytch({ projectId: 'project-live-1234', live: true })
 * ```
 */
export function stytch(options: { projectId: string; live?: boolean } & PresetOptions) {
  return fromPreset(
    stytchPreset,
    { projectId: options.projectId, env: options.live ? 'live' : 'test' },
    options,
  )
}
