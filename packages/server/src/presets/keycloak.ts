import { fromPreset, type PresetData, type PresetOptions, trimSlash } from './preset.js'

/** Keycloak realms, from the PowerSync and Neon tables. */
export const keycloakPreset: PresetData = {
  id: 'keycloak',
  name: 'Keycloak',
  call: 'keycloak({ url, realm })',
  jwksUrl: '{url}/realms/{realm}/protocol/openid-connect/certs',
  issuer: '{url}/realms/{realm}',
  audienceRequired: true,
  audienceRule:
    '**required**: your client (add an audience mapper; a realm serves many clients from one key set)',
  sub: 'user UUID',
}

/**
 * Keycloak. `url` is the server root, with `/auth` on versions before 17. `audience` is
 * required: every client of the realm gets tokens from the same keys (add an audience mapper
 * to the client so its tokens carry it).
 *
 * @example
 * ```ts
 * keycloak({ url: 'https://sso.example.com', realm: 'main', audience: 'my-api' })
 * ```
 */
export function keycloak(options: { url: string; realm: string } & PresetOptions) {
  return fromPreset(
    keycloakPreset,
    { url: options.url && trimSlash(options.url), realm: options.realm },
    options,
  )
}
