import { decodeJwt, isKeywayError } from '@keyway/core'
import { bytesToBase64Url, stringToBase64Url } from '@keyway/core/anonymous'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { count, executed, FUZZ_RUNS, FUZZ_TIMEOUT_MS, fuzzParameters } from './runs.js'

// decodeJwt of anything: it either yields a decoded token of the documented shape or throws a
// KeywayError ERR_MALFORMED_TOKEN; no other exception type ever escapes.

function decodesOrRefuses(input: unknown): void {
  let decoded: ReturnType<typeof decodeJwt>
  try {
    decoded = decodeJwt(input)
  } catch (e) {
    expect(isKeywayError(e, 'ERR_MALFORMED_TOKEN'), `threw ${String(e)}`).toBe(true)
    expect((e as { transient: boolean }).transient).toBe(false)
    return
  }
  for (const part of [decoded.header, decoded.payload]) {
    expect(typeof part).toBe('object')
    expect(part).not.toBeNull()
    expect(Array.isArray(part)).toBe(false)
  }
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const v = decoded.payload[claim]
    if (v !== undefined) expect(Number.isFinite(v)).toBe(true)
  }
  if (decoded.payload.sub !== undefined) expect(typeof decoded.payload.sub).toBe('string')
}

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes)
const utf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** JSON objects where a JWT part goes, with registered claims of every type. */
const claimValue = fc.oneof(
  fc.jsonValue(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, 2 ** 53, '1700000000'),
)
const jsonPart = fc.oneof(
  fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)),
  fc
    .record(
      { exp: claimValue, iat: claimValue, nbf: claimValue, sub: claimValue, alg: claimValue },
      { requiredKeys: [] },
    )
    .map((o) =>
      JSON.stringify(o, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)),
    ),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  fc.string(),
)

describe('fuzz: decodeJwt', () => {
  afterAll(() => {
    console.info(`[fuzz] decodeJwt cases: ${JSON.stringify(executed)}`)
  })

  it(`arbitrary strings (${FUZZ_RUNS} runs each)`, { timeout: FUZZ_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })),
        (s) => {
          count('strings')
          decodesOrRefuses(s)
        },
      ),
      fuzzParameters,
    )
  })

  it('arbitrary values that are not strings', { timeout: FUZZ_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        count('values')
        decodesOrRefuses(v)
      }),
      fuzzParameters,
    )
  })

  it('arbitrary byte arrays as latin1 / utf8 strings, and base64url-joined parts', {
    timeout: FUZZ_TIMEOUT_MS,
  }, () => {
    const parts = fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 5 })
    fc.assert(
      fc.property(parts, fc.constantFrom('latin1', 'utf8', 'base64url'), (chunks, how) => {
        count('bytes')
        if (how === 'base64url') decodesOrRefuses(chunks.map(bytesToBase64Url).join('.'))
        else decodesOrRefuses(chunks.map(how === 'latin1' ? latin1 : utf8).join('.'))
      }),
      fuzzParameters,
    )
  })

  it('three base64url JSON-ish parts (header, payload, signature)', {
    timeout: FUZZ_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(jsonPart, jsonPart, fc.uint8Array({ maxLength: 80 }), (header, payload, sig) => {
        count('json-parts')
        decodesOrRefuses(
          `${stringToBase64Url(header)}.${stringToBase64Url(payload)}.${bytesToBase64Url(sig)}`,
        )
      }),
      fuzzParameters,
    )
  })
})
