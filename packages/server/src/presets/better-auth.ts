import { fromPreset, type PresetData, type PresetOptions, trimSlash } from './preset.js'

/** Better Auth with its jwt plugin, from the Jazz table and the plugin's defaults. */
export const betterAuthPreset: PresetData = {
  id: 'better-auth',
  name: 'Better Auth (jwt plugin)',
  call: 'betterAuth({ baseURL })',
  jwksUrl: '{baseURL}{basePath}/jwks',
  issuer: '{origin}',
  audience: '{origin}',
  audienceRequired: false,
  audienceRule: "`{origin}` of `baseURL`, or the plugin's `jwt.audience`",
  sub: 'user id',
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url === undefined ? undefined : new URL(url).origin
  } catch {
    return undefined
  }
}

/**
 * Better Auth's jwt plugin. Issuer and audience default to the origin of `baseURL`, as the
 * plugin's do; pass `issuer` / `audience` when you set `jwt.issuer` / `jwt.audience`.
 *
 * @example
 * ```ts
 * betterAuth({ baseURL: 'https://app.example.com', audience: 'my-api' })
 * ```
 */
export function betterAuth(options: { baseURL: string; basePath?: string } & PresetOptions) {
  return fromPreset(
    betterAuthPreset,
    {
      baseURL: options.baseURL && trimSlash(options.baseURL),
      basePath: trimSlash(options.basePath ?? '/api/auth') || '/',
      origin: originOf(options.baseURL),
    },
    options,
  )
}
