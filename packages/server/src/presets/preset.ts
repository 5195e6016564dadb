import { KeywayError } from '@keyway/core'

/**
 * How to verify one provider's tokens: where its keys are, who issues them, for whom.
 * This is what a preset resolves to, and what `custom()` takes directly.
 */
export interface ProviderConfig {
  /** Names the provider in results and errors (`firebase`, `clerk`, `my-api`). */
  id: string
  /** The JWKS URL the verifier fetches keys from (cached, refetched on an unknown `kid`). */
  jwksUrl: string
  /** Accepted `iss` value(s). Tokens are routed to a provider by their `iss`. */
  issuer: string | string[]
  /** Required `aud` value(s); `undefined` = `aud` not checked. */
  audience?: string | string[]
  /** Whether this provider's docs require an audience (Firebase, Google): refused without one. */
  audienceRequired?: boolean
  /** Accepted signature algorithms. Default: the asymmetric ones (`RS256`, `ES256`, …). */
  algorithms?: string[]
  /** The shape of `sub`, for docs and logs (e.g. `user_<id>`). */
  subFormat?: string
  /**
   * Accept unsigned (`alg: none`) tokens, as the Firebase Auth emulator issues. The firebase
   * preset only, and refused at verifier creation outside development (see `docs/server.md`).
   */
  emulator?: boolean
  /**
   * Qualifies this provider's user ids: `userId` is `<namespace>:<sub>`. One provider of a
   * verifier may go without (its `userId` is the bare `sub`); every other one needs a
   * namespace, so two providers' ids can never be equal.
   */
  namespace?: string
  /** Longest accepted `exp - iat` (or `exp - now` without `iat`), seconds. Default 86 400. */
  maxLifetimeSec?: number
  /**
   * Claims that must have one of these values (Cognito: `token_use`, and `client_id` on
   * access tokens, which carry no `aud`).
   */
  requiredClaims?: Record<string, string | readonly string[]>
}

/** What you may pass to any preset on top of its own parameters: merged over the preset. */
export type PresetOptions = Partial<Omit<ProviderConfig, 'id'>>

/**
 * A provider as its documentation describes it (the PowerSync, Neon and Jazz provider
 * tables): templates with `{param}` holes that the preset function fills from its options.
 * Pure data, so docs and admin screens can show it.
 */
export interface PresetData {
  id: string
  /** Display name. */
  name: string
  /** How the preset is called, e.g. `clerk({ domain })`. */
  call: string
  /** JWKS URL template, e.g. `https://{domain}/.well-known/jwks.json`. */
  jwksUrl: string
  /** Issuer template(s); the first is the usual one. */
  issuer: string | readonly string[]
  /** Default audience template (`{projectId}`, `authenticated`), if the provider has one. */
  audience?: string
  /**
   * Whether `aud` must be checked: the issuer serves many apps from one key set (Firebase
   * project id, Google OAuth client id, Auth0 API, Azure AD app, Cognito app client, Keycloak client).
   */
  audienceRequired: boolean
  /** What the audience is, in words, for the docs. */
  audienceRule: string
  /** The shape of `sub`. */
  sub: string
  /** Signature algorithms the provider uses, when it documents a fixed set. */
  algorithms?: readonly string[]
}

/** Asymmetric algorithms only: an HMAC key can never be confused with a public key. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]

const OVERRIDABLE = [
  'jwksUrl',
  'issuer',
  'audience',
  'audienceRequired',
  'algorithms',
  'subFormat',
  'emulator',
  'namespace',
  'maxLifetimeSec',
  'requiredClaims',
] as const

function configError(message: string): KeywayError {
  return new KeywayError('ERR_CONFIG', message, { transient: false })
}

/** Fills `{name}` holes; a missing or empty parameter is a configuration error. */
export function fillTemplate(
  presetId: string,
  template: string,
  params: Record<string, string | undefined>,
): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (typeof value !== 'string' || value === '')
      throw configError(`The ${presetId} preset needs "${name}"`)
    return value
  })
}

/** Removes trailing slashes, so `https://x.com/` and `https://x.com` make the same URLs. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '')
}

/**
 * Resolves a preset: its templates filled from `params`, then the caller's options merged
 * over it (only the known keys, so a preset parameter like `domain` never leaks into the
 * config). Throws `ERR_CONFIG` when a required audience is missing.
 */
export function fromPreset(
  data: PresetData,
  params: Record<string, string | undefined>,
  options: PresetOptions = {},
): ProviderConfig {
  const fill = (template: string) => fillTemplate(data.id, template, params)
  const base: ProviderConfig = {
    id: data.id,
    jwksUrl: fill(data.jwksUrl),
    issuer: typeof data.issuer === 'string' ? fill(data.issuer) : data.issuer.map(fill),
    audienceRequired: data.audienceRequired,
    subFormat: data.sub,
    ...(data.audience === undefined ? {} : { audience: fill(data.audience) }),
    ...(data.algorithms ? { algorithms: [...data.algorithms] } : {}),
  }
  return checkConfig(mergeOptions(base, options))
}

/** Merges the known, defined option keys over a config. */
export function mergeOptions(base: ProviderConfig, options: PresetOptions): ProviderConfig {
  const merged: ProviderConfig = { ...base }
  for (const key of OVERRIDABLE)
    if (options[key] !== undefined)
      (merged as unknown as Record<string, unknown>)[key] = options[key]
  return merged
}

/** Refuses a config that cannot verify safely. */
export function checkConfig(config: ProviderConfig): ProviderConfig {
  if (!/^[a-z][a-z0-9-]*$/.test(config.id))
    throw configError(`Provider id "${config.id}" must match ^[a-z][a-z0-9-]*$`)
  let url: URL
  try {
    url = new URL(config.jwksUrl)
  } catch (cause) {
    throw new KeywayError('ERR_CONFIG', `The ${config.id} JWKS URL is not a URL`, {
      transient: false,
      cause,
    })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw configError(`The ${config.id} JWKS URL must be http(s)`)
  const issuers = ([] as string[]).concat(config.issuer)
  if (issuers.length === 0 || issuers.some((i) => typeof i !== 'string' || i === ''))
    throw configError(`The ${config.id} provider needs an issuer`)
  // Cognito access tokens name their app in client_id instead of aud: that counts as one.
  const audience = config.audience ?? config.requiredClaims?.client_id
  if (
    config.audienceRequired &&
    (audience === undefined || audience === '' || audience.length === 0)
  )
    throw configError(
      `The ${config.id} provider needs an audience: its issuer serves many apps, and only the audience says a token is for yours`,
    )
  return config
}

/** A domain parameter given with or without scheme (`x.clerk.accounts.dev`, `https://x/`). */
export function hostOf(domain: string | undefined): string | undefined {
  return domain?.replace(/^https?:\/\//, '').replace(/\/+$/, '')
}
