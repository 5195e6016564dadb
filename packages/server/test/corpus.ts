import { isKeywayError } from '@keyway/core'
import { expect } from 'vitest'
import type { VerificationError } from '../src/verification-error.js'
import type { Verifier } from '../src/verifier.js'

/** The verifier's refusal, checked to be coded and to carry no part of the token. */
export async function refusal(v: Verifier, token: string): Promise<VerificationError> {
  const error = await v.verify(token).then(
    () => undefined,
    (e: unknown) => e as VerificationError,
  )
  expect(error, 'the token must be refused').toBeDefined()
  expect(error!.code).toMatch(/^ERR_(INVALID_TOKEN|TOKEN_EXPIRED)$/)
  expect(typeof error!.reason).toBe('string')
  for (const part of String(token).split('.'))
    if (part.length >= 16) expect(`${error!.message} ${String(error)}`).not.toContain(part)
  return error!
}

/** A mutable wall clock (epoch ms) for verifiers and key sets. */
export function wallClock(start: number) {
  const clock = { ms: start, now: () => clock.ms, sec: () => Math.floor(clock.ms / 1000) }
  return clock
}

/** Whether `make` throws a configuration error (`ERR_CONFIG`). */
export function configError(make: () => unknown): boolean {
  try {
    make()
  } catch (error) {
    return isKeywayError(error, 'ERR_CONFIG')
  }
  return false
}
