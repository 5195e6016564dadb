import { fromPreset, type PresetData, type PresetOptions, trimSlash } from './preset.js'

/** Supabase Auth, from the Supabase and PowerSync docs. */
export const supabasePreset: PresetData = {
  id: 'supabase',
  name: 'Supabase Auth',
  call: 'supabase({ projectRef })',
  jwksUrl: '{url}/auth/v1/.well-known/jwks.json',
  issuer: '{url}/auth/v1',
  audience: 'authenticated',
  audienceRequired: false,
  audienceRule: '`authenticated` (signed-in users)',
  sub: 'user UUID',
}

/**
 * Supabase Auth with asymmetric JWT signing keys (projects still on the legacy shared HS256
 * secret have no JWKS: switch to signing keys first). `{url}` is
 * `https://<projectRef>.supabase.co`, or `url` for the CLI or a self-hosted instance.
 *
 * @example
 * ```ts
 * supabase({ projectRef: 'abcdefghijklmnop' })
 * supabase({ url: 'http://127.0.0.1:54321' }) // supabase start
 * ```
 */
export function supabase(options: { projectRef?: string; url?: string } & PresetOptions) {
  const url = options.url
    ? trimSlash(options.url)
    : options.projectRef && `https://${options.projectRef}.supabase.co`
  return fromPreset(supabasePreset, { url }, options)
}
