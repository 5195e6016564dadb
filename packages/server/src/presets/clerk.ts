import { fromPreset, hostOf, type PresetData, type PresetOptions } from './preset.js'

/** Clerk session tokens, from the PowerSync, Neon and Jazz tables. */
export const clerkPreset: PresetData = {
  id: 'clerk',
  name: 'Clerk',
  call: 'clerk({ domain })',
  jwksUrl: 'https://{domain}/.well-known/jwks.json',
  issuer: 'https://{domain}',
  audienceRequired: false,
  audienceRule: 'none by default (Clerk sets `azp`)',
  sub: '`user_<id>`',
  algorithms: ['RS256'],
}

/**
 * Clerk session tokens. `domain` is the Frontend API host (`example.clerk.accounts.dev`
 * in development, `clerk.example.com` in production).
 *
 * @example
 * ```ts
 * clerk({ domain: 'example.clerk.accounts.dev' })
 * ```
 */
export function clerk(options: { domain: string } & PresetOptions) {
  return fromPreset(clerkPreset, { domain: hostOf(options.domain) }, options)
}
