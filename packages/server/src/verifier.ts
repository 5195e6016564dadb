import { KeywayError } from '@keyway/core'
import {
  decodeJwt,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  UnsecuredJWT,
} from 'jose'
import {
  ANONYMOUS_ISSUER,
  ANONYMOUS_TYP,
  type AnonymousOptions,
  verifyAnonymousToken,
} from './anonymous.js'
import { verifyWithCandidates } from './candidate-keys.js'
import { compactHeader } from './compact-jws.js'
import { checkEmulatorMode } from './emulator-mode.js'
import { checkNamespaces, userIdOf } from './identity-namespace.js'
import { type JwksOptions, resilientJwks } from './jwks.js'
import { ASYMMETRIC_ALGORITHMS, checkConfig, type ProviderConfig } from './presets/preset.js'
import { bearerToken } from './request.js'
import { checkRequiredClaims } from './required-claims.js'
import { checkTokenTimes, DEFAULT_MAX_LIFETIME_SEC } from './token-times.js'
import { fromJoseError, VerificationError } from './verification-error.js'

export interface VerifierOptions {
  /** The providers whose tokens are accepted (presets or `custom`). Routed by `iss`. */
  providers: ProviderConfig[]
  /** Accept keyway anonymous (guest) tokens for this audience. */
  anonymous?: AnonymousOptions
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. Default 5. */
  clockTolerance?: number
  /** JWKS cache, refetch cooldown, body limit and stale-keys window. */
  jwks?: JwksOptions
  /** Current time in epoch ms. Default `Date.now`; tests pass a fixed clock. */
  now?: () => number
}

/** What a verified token says. */
export interface VerifiedToken {
  /**
   * The user id: `anon_…` for guest tokens; for provider tokens the `sub`, qualified as
   * `<namespace>:<sub>` when the provider has a `namespace`.
   */
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

interface Route {
  provider: ProviderConfig
  keys: JWTVerifyGetKey
  algorithms: string[]
}

function configError(message: string): KeywayError {
  return new KeywayError('ERR_CONFIG', message, { transient: false })
}

/** One route per issuer; two providers claiming the same `iss` would be ambiguous. */
function routesByIssuer(options: VerifierOptions, now: () => number): Map<string, Route> {
  const routes = new Map<string, Route>()
  checkNamespaces(options.providers)
  for (const provider of options.providers) {
    checkConfig(provider)
    checkEmulatorMode(provider)
    const route = {
      provider,
      keys: resilientJwks(provider.jwksUrl, options.jwks, now),
      algorithms: provider.algorithms ?? ASYMMETRIC_ALGORITHMS,
    }
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
 * (indexed once per fetch; refetched at most once per cooldown, failures included; the last
 * keys keep verifying for a bounded stale window while the JWKS endpoint is down),
 * asymmetric algorithms only, canonical base64url, `iss`, `aud`, `exp`, `nbf` checked, `exp`
 * required, `iat` not ahead of the clock and a lifetime cap; and keyway anonymous tokens when
 * `anonymous` is set. Header parameters that name other keys (`jku`, `x5u`, `jwk`, `x5c`)
 * are never used for provider tokens. User ids of different providers never collide (see
 * `namespace`).
 *
 * @example
 * ```ts
 * import { clerk, createVerifier, firebase } from '@keyway/server'
 *
 * const verifier = createVerifier({
 *   providers: [
 *     firebase({ projectId: 'my-app' }),
 *     clerk({ domain: 'example.clerk.accounts.dev', namespace: 'clerk' }),
 *   ],
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
    const { provider } = route
    const checks: JWTVerifyOptions = {
      issuer: provider.issuer,
      ...(provider.audience === undefined ? {} : { audience: provider.audience }),
      currentDate: new Date(now()),
      clockTolerance,
      requiredClaims: ['exp'],
    }
    // Refused before any key lookup: a forged algorithm never costs a JWKS request.
    if (header.alg === 'none' && !provider.emulator)
      throw new VerificationError('alg_none', 'Unsigned tokens (alg: none) are refused')
    if (header.alg !== 'none' && !route.algorithms.includes(header.alg as string))
      throw new VerificationError(
        'alg_not_allowed',
        'The token is signed with an algorithm not allowed here',
      )
    let claims: JWTPayload
    try {
      claims =
        header.alg === 'none'
          ? UnsecuredJWT.decode(token, checks).payload
          : await verifyWithCandidates(token, route.keys, {
              ...checks,
              algorithms: route.algorithms,
            })
    } catch (error) {
      throw fromJoseError(error)
    }
    checkTokenTimes(claims, {
      nowMs: now(),
      futureSec: clockTolerance,
      maxLifetimeSec: provider.maxLifetimeSec ?? DEFAULT_MAX_LIFETIME_SEC,
    })
    checkRequiredClaims(provider, claims)
    return claims
  }

  // With one provider nothing needs routing: the payload is decoded once, by jose.
  const distinct = new Set(routes.values())
  const only = distinct.size === 1 ? [...distinct][0] : undefined

  async function verifyGuest(token: string, header: Record<string, unknown>) {
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

  async function verifyRouted(token: string, header: Record<string, unknown>, route: Route) {
    const claims = await verifyProvider(token, header, route)
    if (typeof claims.sub !== 'string' || claims.sub.length === 0)
      throw new VerificationError('missing_claim', 'The token has no sub')
    return {
      userId: userIdOf(route.provider, claims.sub),
      providerId: route.provider.id,
      claims,
      anonymous: false,
    }
  }

  /** The unverified payload, or `malformed`. */
  function peek(token: string): JWTPayload {
    try {
      return decodeJwt(token)
    } catch (error) {
      throw new VerificationError('malformed', 'The token is not a JWT', error)
    }
  }

  async function verify(token: string): Promise<VerifiedToken> {
    const header = compactHeader(token)
    // Guest tokens are the only ones verified with a key they carry: chosen by typ or iss.
    if (header.typ === ANONYMOUS_TYP) return verifyGuest(token, header)
    if (only)
      try {
        return await verifyRouted(token, header, only)
      } catch (error) {
        // Refused: a guest token that lost its typ gets the guest path's answer, as with routing.
        if (peek(token).iss === ANONYMOUS_ISSUER) return verifyGuest(token, header)
        throw error
      }
    const iss = peek(token).iss
    if (iss === ANONYMOUS_ISSUER) return verifyGuest(token, header)
    const route = typeof iss === 'string' ? routes.get(iss) : undefined
    if (!route)
      throw new VerificationError('unknown_issuer', 'No provider is configured for this issuer')
    return verifyRouted(token, header, route)
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
