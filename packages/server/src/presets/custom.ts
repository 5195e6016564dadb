import { checkConfig, mergeOptions, type PresetOptions, type ProviderConfig } from './preset.js'

/**
 * Any issuer with a JWKS: your own token endpoint, an OIDC server, a provider without a
 * preset. Only asymmetric algorithms are accepted unless you narrow `algorithms`.
 *
 * @example
 * ```ts
 * custom({
 *   id: 'my-api',
 *   jwksUrl: 'https://api.example.com/.well-known/jwks.json',
 *   issuer: 'https://api.example.com',
 *   audience: 'my-app',
 * })
 * ```
 */
export function custom(
  options: { id?: string; jwksUrl: string; issuer: string | string[] } & PresetOptions,
): ProviderConfig {
  const base: ProviderConfig = {
    id: options.id ?? 'custom',
    jwksUrl: options.jwksUrl,
    issuer: options.issuer,
  }
  return checkConfig(mergeOptions(base, options))
}
