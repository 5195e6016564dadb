import { KeywayError } from '@keyway/core'
import {
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  UnsecuredJWT,
} from 'jose'
import {
  ANONYMOUS_ISSUER,
  ANONYMOUS_TYP,
  type AnonymousOptions,
  verifyAnonymousToken,
} from './anonymous.js'
import { type JwksOptions, resilientJwks } from './jwks.js'
import { ASYMMETRIC_ALGORITHMS, checkConfig, type ProviderConfig } from './presets/preset.js'
import { bearerToken } from './request.js'
import { fromJoseError, VerificationError } from './verification-error.js'

export interface VerifierOptions {
  /** The providers whose tokens are accepted (presets or `custom`). Routed by `iss`. */
  providers: ProviderConfig[]
  /** Accept keyway anonymous (guest) tokens for this audience. */
  anonymous?: AnonymousOptions
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. Default 5. */
  clockTolerance?: number
  /** JWKS cache and refetch cooldown. */
  jwks?: JwksOptions
  /** Current time in epoch ms. Default `Date.now`; tests pass a fixed clock. */
  now?: () => number
}

/** What a verified token says. */
export interface VerifiedToken {
  /** `sub`: the user id (`anon_…` for anonymous tokens). */
  userId: string
  /** The provider's `id` (`'anonymous'` for anonymous tokens). */
  providerId: string
  /** Every claim of the token, verified. */
  claims: JWTPayload
  /** Whether this is a keyway guest token (verified with the key it embeds). */
  anonymous: boolean
}

export interface Verifier {
  /**
   * Verifies a token. Resolves with its user, or rejects with a `VerificationError`
   * (`code` `ERR_INVALID_TOKEN` / `ERR_TOKEN_EXPIRED`, and a `reason`); `transient` is
   * true only when the provider's JWKS could not be fetched.
   */
  verify(token: string): Promise<VerifiedToken>
  /** Verifies the `Authorization: Bearer` token of a Fetch API request (`no_token` without one). */
  verifyRequest(request: Request): Promise<VerifiedToken>
}

/** Read without Node types: src runs in browsers and workers too. */
function isProduction(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env
  return env?.NODE_ENV === 'production'
}

interface Route {
  provider: ProviderConfig
  keys: JWTVerifyGetKey
}

function configError(message: string): KeywayError {
  return new KeywayError('ERR_CONFIG', message, { transient: false })
}

/** One route per issuer; two providers claiming the same `iss` would be ambiguous. */
function routesByIssuer(options: VerifierOptions, now: () => number): Map<string, Route> {
  const routes = new Map<string, Route>()
  for (const provider of options.providers) {
    checkConfig(provider)
    if (provider.emulator && isProduction())
      throw configError(`Emulator tokens for "${provider.id}" are refused in production`)
    const route = { provider, keys: resilientJwks(provider.jwksUrl, options.jwks, now) }
    for (const iss of ([] as string[]).concat(provider.issuer)) {
      if (iss === ANONYMOUS_ISSUER) throw configError(`"${iss}" is keyway's guest issuer`)
      if (routes.has(iss)) throw configError(`Two providers accept the issuer "${iss}"`)
      routes.set(iss, route)
    }
  }
  return routes
}

/**
 * A verifier for every provider an app accepts, on jose: provider keys from their JWKS
 * (cached; refetched at most once per cooldown on an unknown `kid`; the last keys keep
 * working while the JWKS endpoint is down), asymmetric algorithms only, `iss`, `aud`,
 * `exp`, `nbf` checked, `exp` required; and keyway anonymous tokens when `anonymous` is set.
 * Header parameters that name other keys (`jku`, `x5u`, `jwk`, `x5c`) are never used for
 * provider tokens.
 *
 * @example
 * ```ts
 * import { clerk, createVerifier, firebase } from '@keyway/server'
 *
 * const verifier = createVerifier({
 *   providers: [firebase({ projectId: 'my-app' }), clerk({ domain: 'example.clerk.accounts.dev' })],
 *   anonymous: { audience: 'https://api.example.com' },
 * })
 * const { userId, anonymous } = await verifier.verifyRequest(request)
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const now = options.now ?? (() => Date.now())
  const clockTolerance = options.clockTolerance ?? 5
  const routes = routesByIssuer(options, now)

  async function verifyProvider(token: string, header: Record<string, unknown>, route: Route) {
    const { provider, keys } = route
    const checks = {
      issuer: provider.issuer,
      ...(provider.audience === undefined ? {} : { audience: provider.audience }),
      currentDate: new Date(now()),
      clockTolerance,
      requiredClaims: ['exp'],
    }
    if (header.alg === 'none' && !provider.emulator)
      throw new VerificationError('alg_none', 'Unsigned tokens (alg: none) are refused')
    try {
      if (header.alg === 'none') return UnsecuredJWT.decode(token, checks).payload
      const algorithms = provider.algorithms ?? ASYMMETRIC_ALGORITHMS
      return (await jwtVerify(token, keys, { ...checks, algorithms })).payload
    } catch (error) {
      throw fromJoseError(error)
    }
  }

  async function verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 16_384)
      throw new VerificationError('malformed', 'No token, or not a JWS')
    let header: Record<string, unknown>
    let unverified: JWTPayload
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>
      unverified = decodeJwt(token)
    } catch (error) {
      throw new VerificationError('malformed', 'The token is not a JWT', error)
    }
    // Guest tokens are the only ones verified with a key they carry: chosen by typ or iss.
    if (header.typ === ANONYMOUS_TYP || unverified.iss === ANONYMOUS_ISSUER) {
      if (!options.anonymous)
        throw new VerificationError(
          'anonymous_not_accepted',
          'Anonymous tokens are not accepted here',
        )
      const claims = await verifyAnonymousToken(token, header, {
        ...options.anonymous,
        now,
        clockTolerance,
      })
      return { userId: claims.sub, providerId: 'anonymous', claims, anonymous: true }
    }
    const route = typeof unverified.iss === 'string' ? routes.get(unverified.iss) : undefined
    if (!route)
      throw new VerificationError('unknown_issuer', 'No provider is configured for this issuer')
    const claims = await verifyProvider(token, header, route)
    if (typeof claims.sub !== 'string' || claims.sub.length === 0)
      throw new VerificationError('missing_claim', 'The token has no sub')
    return { userId: claims.sub, providerId: route.provider.id, claims, anonymous: false }
  }

  return {
    verify,
    async verifyRequest(request) {
      const token = bearerToken(request)
      if (!token)
        throw new VerificationError('no_token', 'No Bearer token in the Authorization header')
      return verify(token)
    },
  }
}
