import { isKeywayError } from '@keyway/core'
import { sleep, waitFor as until } from '@keyway/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { shapeSetup } from './shape-setup.js'

// The real ShapeStream (@electric-sql/client 1.5) over real HTTP to a double of /v1/shape
// behind a JWT-verifying proxy, real timers.

const running: Array<{ stop(): Promise<void> }> = []
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop()
})

async function setup(options: Parameters<typeof shapeSetup>[0]) {
  const made = await shapeSetup(options)
  running.push(made)
  return made
}

describe('electricAuth with the real ShapeStream over a double of /v1/shape', () => {
  it('syncs and follows live with the session token on every request', async () => {
    const { shape, inserts, connector } = await setup({ lifetimeSec: 300 })
    shape.insert(0)
    shape.insert(1)
    await until(() => inserts.length === 2)
    shape.insert(2)
    await until(() => inserts.length === 3)
    expect(inserts).toEqual(['0', '1', '2'].map((id) => `"public"."items"/"${id}"`))
    expect(shape.requests.every((r) => r.status === 200 && r.token === connector.minted[0])).toBe(
      true,
    )
    expect(shape.requests.some((r) => r.live)).toBe(true)
  })

  it('a 401 mid-stream: one rejection, a new token, resumed at the same offset, no duplicate row', async () => {
    const { shape, inserts, connector, session } = await setup({
      lifetimeSec: 300,
      liveTimeoutMs: 300,
    })
    shape.insert(0)
    await until(() => inserts.length === 1)
    shape.rejectNext()
    await until(() => shape.requests.some((r) => r.status === 401))
    shape.insert(1)
    await until(() => inserts.length === 2)
    const failed = shape.requests.findIndex((r) => r.status === 401)
    const retried = shape.requests[failed + 1]!
    expect(retried.offset).toBe(shape.requests[failed]!.offset)
    expect(retried.token).toBe(connector.minted[1])
    expect(retried.status).toBe(200)
    expect(session.getSnapshot().counters.rejections).toBe(1)
    expect(new Set(inserts).size).toBe(inserts.length)
  })

  it('a 403: the stream stops and onError gets a coded KeywayError', async () => {
    const { shape, errors, stream } = await setup({ lifetimeSec: 300, liveTimeoutMs: 300 })
    shape.insert(0)
    await until(() => shape.requests.some((r) => r.live))
    shape.answerNext(403)
    await until(() => errors.length === 1)
    expect(isKeywayError(errors[0], 'ERR_REJECTED')).toBe(true)
    expect(errors[0]!.transient).toBe(false)
    await sleep(500)
    expect(stream.isConnected()).toBe(false)
    const count = shape.requests.length
    await sleep(500)
    expect(shape.requests.length).toBe(count)
  })

  it('a 400: ERR_CONFIG', async () => {
    const { shape, errors } = await setup({ lifetimeSec: 300, liveTimeoutMs: 300 })
    shape.answerNext(400)
    await until(() => errors.length === 1)
    expect(isKeywayError(errors[0], 'ERR_CONFIG')).toBe(true)
  })

  it('the provider is down and the token expired: the stream waits, then resumes', async () => {
    // 8 s tokens refreshed 2 s ahead; the session's backoff capped at 1 s keeps the test short.
    const { shape, inserts, connector, errors, session } = await setup({
      lifetimeSec: 8,
      liveTimeoutMs: 300,
      policy: { minLeadMs: 2_000, backoffCapMs: 1_000, maxCallsPerMinute: 30 },
    })
    shape.insert(0)
    await until(() => inserts.length === 1)
    connector.failAlways(new Error('503 Service Unavailable'))
    await sleep(8_500)
    // The token has expired and no other could be had: the stream is waiting, not stopped.
    expect(session.peek()).toBeUndefined()
    shape.insert(1)
    connector.failAlways(null)
    await until(() => inserts.length === 2, 3_000)
    expect(errors).toEqual([])
    expect(new Set(inserts).size).toBe(2)
  }, 20_000)

  it('the session is disposed while the stream waits for a token: the stream stops with ERR_DISPOSED', async () => {
    const { stream, errors, session } = await setup({ lifetimeSec: 60, down: true })
    // No token can be had: the stream's first request failed and it waits for the session.
    await until(() => session.getSnapshot().counters.failures > 0)
    await sleep(200)
    expect(errors).toEqual([])
    const told: unknown[] = []
    stream.subscribe(
      () => {},
      (error) => void told.push(error),
    )
    session.dispose()
    await until(() => errors.length > 0, 3_000)
    expect(errors.map((e) => e.code)).toEqual(['ERR_DISPOSED'])
    // Electric stopped the stream and told its subscribers (with the error its request met),
    // as for any final error.
    await until(() => told.length > 0, 3_000)
    expect(isKeywayError(told[0]) && told[0].transient).toBe(true)
    expect(stream.isConnected()).toBe(false)
  }, 10_000)
})
