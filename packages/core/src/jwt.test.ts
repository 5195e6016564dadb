import { describe, expect, it } from 'vitest'
import { stringToBase64Url } from './base64url.js'
import { isKeywayError } from './errors.js'
import { decodeJwt } from './jwt.js'
import { redactToken } from './redact.js'
import { createTokenMinter } from './testing/index.js'

const b64 = (v: unknown) => stringToBase64Url(JSON.stringify(v))

describe('decodeJwt', () => {
  it('reads header and payload of a real ES256 token', async () => {
    const minter = await createTokenMinter({ now: () => 1_700_000_000_000 })
    const token = await minter.mint({ sub: 'user_42', lifetimeSec: 60 })
    const { header, payload } = decodeJwt(token)
    expect(header.alg).toBe('ES256')
    expect(payload).toMatchObject({ sub: 'user_42', iat: 1_700_000_000, exp: 1_700_000_060 })
  })

  const malformed: Array<[string, unknown]> = [
    ['a number', 42],
    ['undefined', undefined],
    ['an empty string', ''],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['a header that is not base64url', '###.e30.sig'],
    ['a payload that is not JSON', `${b64({ alg: 'ES256' })}.${stringToBase64Url('not json')}.sig`],
    ['a payload that is an array', `${b64({ alg: 'ES256' })}.${b64([1, 2])}.sig`],
    ['a payload that is null', `${b64({ alg: 'ES256' })}.${b64(null)}.sig`],
    ['an exp that is a string', `${b64({ alg: 'ES256' })}.${b64({ exp: '1700000000' })}.sig`],
    ['a sub that is a number', `${b64({ alg: 'ES256' })}.${b64({ sub: 7 })}.sig`],
    ['invalid UTF-8', `${b64({ alg: 'ES256' })}.${'_w'}.sig`],
    ['a huge string', `${'a'.repeat(70_000)}.e30.sig`],
  ]
  for (const [what, input] of malformed) {
    it(`rejects ${what} with ERR_MALFORMED_TOKEN`, () => {
      let error: unknown
      try {
        decodeJwt(input)
      } catch (e) {
        error = e
      }
      expect(isKeywayError(error, 'ERR_MALFORMED_TOKEN')).toBe(true)
      if (typeof input === 'string' && input.length > 8)
        expect((error as Error).message).not.toContain(input.slice(0, 8))
    })
  }
})

describe('redactToken', () => {
  it('shows at most eyJ… and the last 6 characters', () => {
    expect(redactToken('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.abcdefghijkl')).toBe('eyJ…ghijkl')
    expect(redactToken('short')).toBe('…')
    expect(redactToken(undefined)).toBe('(none)')
  })
})
