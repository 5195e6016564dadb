import { describe, expect, it } from 'vitest'
import { isKeywayError, KeywayError, toKeywayError } from './errors.js'

describe('KeywayError', () => {
  it('carries a code, a transient flag by default per code, and a cause', () => {
    const cause = new Error('socket hang up')
    const e = new KeywayError('ERR_NETWORK', 'offline', { cause })
    expect(e.code).toBe('ERR_NETWORK')
    expect(e.transient).toBe(true)
    expect(e.cause).toBe(cause)
    expect(e.name).toBe('KeywayError')
    expect(new KeywayError('ERR_REVOKED', 'gone').transient).toBe(false)
  })

  it('keeps the HTTP response out of enumerable properties (and so out of logs)', () => {
    const e = new KeywayError('ERR_PROVIDER', '503', {
      response: new Response('x', { status: 503 }),
    })
    expect(e.response?.status).toBe(503)
    expect(Object.keys(e)).not.toContain('response')
    expect(JSON.stringify(e)).not.toContain('503')
  })

  it('isKeywayError matches another copy of core by name and code', () => {
    const foreign = Object.assign(new Error('x'), { name: 'KeywayError', code: 'ERR_TIMEOUT' })
    expect(isKeywayError(foreign)).toBe(true)
    expect(isKeywayError(foreign, 'ERR_TIMEOUT')).toBe(true)
    expect(isKeywayError(foreign, 'ERR_NETWORK')).toBe(false)
    expect(isKeywayError(new Error('x'))).toBe(false)
    expect(isKeywayError('ERR_TIMEOUT')).toBe(false)
    expect(isKeywayError(null)).toBe(false)
  })

  it('toKeywayError wraps non-Error values and fetch TypeErrors as transient', () => {
    expect(toKeywayError('boom').code).toBe('ERR_PROVIDER')
    expect(toKeywayError('boom').transient).toBe(true)
    expect(toKeywayError(new TypeError('fetch failed')).code).toBe('ERR_NETWORK')
    const final = new KeywayError('ERR_REVOKED', 'x')
    expect(toKeywayError(final)).toBe(final)
  })
})
