import { decodeJwt, isKeywayError } from '@keyway/core'
import { sleep, waitFor as until } from '@keyway/core/testing'
import { captureUnhandledRejections } from '@keyway/core/testing/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { realtimeSetup } from './realtime-setup.js'

// supabase-js's real RealtimeClient (realtime-js 2.119) over a double of the Realtime server's
// Phoenix socket, real timers. Short heartbeats and short tokens keep it to seconds.

const running: Array<{ stop(): Promise<void> }> = []
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop()
})

/** What subscribeRealtime leaves unhandled: it runs a resubscription from the status callback. */
const unhandled = captureUnhandledRejections()

async function setup(options: Parameters<typeof realtimeSetup>[0]) {
  const made = await realtimeSetup(options)
  running.push(made)
  return made
}

describe('Supabase Realtime with keyway, over a double of the Phoenix protocol', () => {
  it('every token handed to Realtime outlives the next heartbeat', async () => {
    // 12 s tokens, 3 s heartbeats: each heartbeat asks for a token with 8 s left.
    const { server, statuses, connector } = await setup({
      lifetimeSec: 12,
      heartbeatMs: 3_000,
    })
    await until(() => statuses.includes('SUBSCRIBED'))
    await sleep(9_000)
    expect(server.stats.heartbeats).toBeGreaterThanOrEqual(2)
    expect(server.stats.expiredChannels).toBe(0)
    // The refreshed token reached the joined channel through an access_token push.
    expect(server.stats.accessTokenPushes).toBeGreaterThanOrEqual(1)
    expect(Math.min(...server.stats.remainingAtArrivalMs)).toBeGreaterThan(3_000 + 5_000 - 1_000)
    // Each token reached the channel once (a push only when it changed).
    expect(new Set(server.stats.acceptedTokens).size).toBe(server.stats.acceptedTokens.length)
    expect(server.stats.acceptedTokens.every((t) => connector.minted.includes(t))).toBe(true)
    expect(statuses).toEqual(['SUBSCRIBED'])
  }, 15_000)

  it('a channel the server closes for its token is subscribed again, once, with a new token', async () => {
    const { server, session, statuses, rows } = await setup({
      lifetimeSec: 300,
      heartbeatMs: 25_000,
    })
    await until(() => statuses.includes('SUBSCRIBED'))
    const first = server.stats.acceptedTokens[0]!
    expect(server.broadcast('room', 1)).toBe(true)
    expect(server.closeForToken()).toBe(1)
    await until(() => server.stats.joins === 2 && server.broadcast('room', 2))
    await until(() => rows.length === 2)
    expect(rows).toEqual([1, 2])
    // keyway deemed the closed token valid: reported, and the channel rejoined with another.
    expect(session.getSnapshot().counters.rejections).toBe(1)
    expect(server.stats.acceptedTokens[1]).not.toBe(first)
    expect(server.longestUnjoinedMs).toBeLessThan(1_000)
    expect(statuses).toEqual(['SUBSCRIBED', 'SUBSCRIBED'])
  })

  it('closed again before it was subscribed: no loop, CHANNEL_ERROR with ERR_REJECTED', async () => {
    const { server, statuses, errors } = await setup({
      lifetimeSec: 300,
      heartbeatMs: 25_000,
    })
    await until(() => statuses.includes('SUBSCRIBED'))
    // The rejoined channel is closed too, as soon as it joins (before its SUBSCRIBED reply).
    server.closeEveryJoin = true
    server.closeForToken()
    await until(() => statuses.includes('CHANNEL_ERROR'))
    await sleep(300)
    expect(server.stats.joins).toBe(2)
    expect(statuses.at(-1)).toBe('CHANNEL_ERROR')
    expect(isKeywayError(errors.at(-1), 'ERR_REJECTED')).toBe(true)
  })

  it('the session disposed, then the server closes the channel for its token: CHANNEL_ERROR with ERR_DISPOSED, no rejoin, nothing thrown', async () => {
    const { server, session, statuses, errors } = await setup({
      lifetimeSec: 300,
      heartbeatMs: 25_000,
    })
    await until(() => statuses.includes('SUBSCRIBED'))
    // The app tore the session down but not the channel; its token then expires on the server.
    session.dispose()
    expect(server.closeForToken()).toBe(1)
    await until(() => statuses.length > 1, 2_000)
    await sleep(300)
    expect(server.stats.joins).toBe(1)
    expect(statuses).toEqual(['SUBSCRIBED', 'CHANNEL_ERROR'])
    expect(isKeywayError(errors.at(-1), 'ERR_DISPOSED')).toBe(true)
    expect(unhandled).toEqual([])
  })

  it('signed out: Realtime gets no user token (supabase-js falls back to the anon key)', async () => {
    const { connector, session, supabase, statuses } = await setup({
      lifetimeSec: 300,
      heartbeatMs: 25_000,
    })
    await until(() => statuses.includes('SUBSCRIBED'))
    connector.setUser(null)
    await until(() => session.getSnapshot().status === 'signedOut')
    await supabase.realtime.setAuth()
    expect(supabase.realtime.accessTokenValue).toBe('anon-key')
    expect(() => decodeJwt(supabase.realtime.accessTokenValue)).toThrow()
  })
})
