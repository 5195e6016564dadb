import { describe, expect, it } from 'vitest'
import { isKeywayError, type KeywayErrorCode } from '../errors.js'

/**
 * The ways a provider call can fail, each with the one answer every connector gives
 * (the table in docs/errors.md, "How connectors map provider failures").
 */
export const PROVIDER_FAILURES = {
  /** The provider could not be reached: no connection, DNS, a dropped socket, the SDK's "offline". */
  network: { code: 'ERR_NETWORK', transient: true },
  /** The SDK gave up waiting for the provider (its own timeout). */
  timeout: { code: 'ERR_TIMEOUT', transient: true },
  /** 5xx, 408, OAuth `server_error` / `temporarily_unavailable`. */
  serverError: { code: 'ERR_PROVIDER', transient: true },
  /** 429 or the provider's "too many requests", without a delay the SDK passes on. */
  rateLimited: { code: 'ERR_PROVIDER', transient: true },
  /** 429 with `Retry-After: 7` (or the SDK's parsed form of it): `retryAfterMs` is 7000. */
  rateLimitedFor7s: { code: 'ERR_PROVIDER', transient: true, retryAfterMs: 7000 },
  /** The session is over: refresh token revoked, rotated away or expired; user disabled or deleted. */
  revoked: { code: 'ERR_REVOKED', transient: false },
  /** The provider refused the app's setup (`invalid_client`, an unknown audience, a bad request). */
  setup: { code: 'ERR_PROVIDER', transient: false },
} as const satisfies Record<
  string,
  { code: KeywayErrorCode; transient: boolean; retryAfterMs?: number }
>

/** One kind of provider failure from {@link PROVIDER_FAILURES}. */
export type ProviderFailure = keyof typeof PROVIDER_FAILURES

/** A connector's error mapper and what its SDK throws for each kind of failure. */
export interface ErrorMappingSubject {
  /** Shown in test names, e.g. `'toKeywayClerkError (clerk-js error shapes)'`. */
  name: string
  /** The connector's mapper: whatever the SDK threw → KeywayError. */
  map(error: unknown): unknown
  /**
   * For every kind, the errors the SDK really throws for it (built with the SDK's own
   * classes where it exports them). An empty list says the SDK cannot fail that way (it
   * drops `Retry-After`, say): every kind must be answered, so none is forgotten.
   */
  failures: Record<ProviderFailure, ReadonlyArray<unknown>>
}

/**
 * Runs a connector's error mapper over the shared list of provider failures and checks each
 * answer against the one table. Call it at the top level of the connector's test file.
 *
 * @example
 * ```ts
 * runErrorMapping({
 *   name: 'toKeywayHttpError (Response objects)',
 *   map: toKeywayHttpError,
 *   failures: { network: [new TypeError('fetch failed')], timeout: [], … },
 * })
 * ```
 */
export function runErrorMapping(subject: ErrorMappingSubject): void {
  describe(`provider failures map to one table: ${subject.name}`, () => {
    for (const [kind, expected] of Object.entries(PROVIDER_FAILURES)) {
      const errors = subject.failures[kind as ProviderFailure]
      if (errors.length === 0) continue
      it(`${kind} → ${expected.code}, ${expected.transient ? 'transient' : 'final'}`, () => {
        for (const error of errors) {
          const mapped = subject.map(error)
          expect(isKeywayError(mapped, expected.code)).toBe(true)
          expect(mapped).toMatchObject({
            transient: expected.transient,
            ...('retryAfterMs' in expected && { retryAfterMs: expected.retryAfterMs }),
          })
        }
      })
    }
    it('an error the mapper does not know → ERR_PROVIDER, transient (retried, never a sign-out)', () => {
      for (const error of [new Error('something new'), { weird: true }, 'a string', undefined]) {
        const mapped = subject.map(error)
        expect(isKeywayError(mapped, 'ERR_PROVIDER')).toBe(true)
        expect(mapped).toMatchObject({ transient: true })
      }
    })
  })
}
