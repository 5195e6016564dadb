import { shortestRefreshIntervalMs, sleep, soakLifetimeSec } from '@keyway/core/testing'
import { expect, it } from 'vitest'
import { realtimeSetup } from './realtime-setup.js'

// Soak: supabase-js's real RealtimeClient over the Phoenix double, real timers, heartbeats
// every quarter token lifetime, a broadcast every 100 ms and the server closing the channel
// for its token every 0.65 lifetime. `pnpm test` runs it 9 s with 4 s tokens (1 s heartbeats,
// a closure every 2.6 s); KEYWAY_SOAK_MS runs it longer (`pnpm soak`: 5 min, 20 s tokens,
// 5 s heartbeats, a closure every 13 s).

const SOAK_MS = Number(process.env.KEYWAY_SOAK_MS ?? 9_000)
const LIFETIME_SEC = soakLifetimeSec(SOAK_MS)
const HEARTBEAT_MS = LIFETIME_SEC * 250
const CLOSE_EVERY_MS = LIFETIME_SEC * 650
const BROADCAST_EVERY_MS = 100
const REFRESH_INTERVAL_MIN_MS = shortestRefreshIntervalMs(LIFETIME_SEC)

it(
  `soak (double of the Realtime Phoenix protocol): ${SOAK_MS / 1000} s, ${LIFETIME_SEC} s tokens, ${HEARTBEAT_MS / 1000} s heartbeats, a channel closed for its token every ${CLOSE_EVERY_MS / 1000} s`,
  async () => {
    const { connector, session, server, rows, statuses, stop } = await realtimeSetup({
      lifetimeSec: LIFETIME_SEC,
      heartbeatMs: HEARTBEAT_MS,
    })
    while (!statuses.includes('SUBSCRIBED')) await sleep(10)

    const started = Date.now()
    let sent = 0
    let delivered = 0
    let injected = 0
    let nextClose = started + CLOSE_EVERY_MS
    while (Date.now() - started < SOAK_MS) {
      if (server.broadcast('room', sent)) delivered++
      sent++
      if (Date.now() >= nextClose) {
        injected += server.closeForToken()
        nextClose += CLOSE_EVERY_MS
      }
      await sleep(BROADCAST_EVERY_MS)
    }
    await sleep(200)
    const elapsedMs = Date.now() - started
    const statusesDuring = [...statuses]
    await stop()

    const { stats } = server
    const calls = connector.callCount
    const budget = 1 + injected + Math.ceil(elapsedMs / REFRESH_INTERVAL_MIN_MS)
    const received = new Set(rows)
    console.log(
      [
        `supabase realtime soak: ${(elapsedMs / 1000).toFixed(1)} s, ${LIFETIME_SEC} s tokens, heartbeat ${HEARTBEAT_MS / 1000} s`,
        `broadcasts sent ${sent}, to a joined channel ${delivered}, received ${rows.length} (${received.size} distinct), sent while no channel was joined ${stats.missedBroadcasts}`,
        `heartbeats ${stats.heartbeats}, access_token pushes ${stats.accessTokenPushes}, joins ${stats.joins} (refused ${stats.refusedJoins})`,
        `channels closed for their token: injected ${injected}, expired ${stats.expiredChannels}; statuses ${statusesDuring.join(' ')}`,
        `longest with no channel joined ${server.longestUnjoinedMs} ms; least life left on a token as it reached the server ${Math.min(...stats.remainingAtArrivalMs)} ms`,
        `connector calls ${calls} (≤ ${budget}: 1 + ${injected} closures + one per ${REFRESH_INTERVAL_MIN_MS / 1000} s), session rejections ${session.getSnapshot().counters.rejections}`,
      ].join('\n  '),
    )

    expect(injected).toBeGreaterThanOrEqual(Math.floor(SOAK_MS / CLOSE_EVERY_MS))
    // Every broadcast sent to a joined channel arrived, once.
    expect(rows.length).toBe(delivered)
    expect(received.size).toBe(rows.length)
    // A closure costs at most the broadcasts of its gap: Realtime broadcast has no replay.
    expect(stats.missedBroadcasts).toBeLessThanOrEqual(injected)
    expect(server.longestUnjoinedMs).toBeLessThan(1_000)
    // No token ever expired on a channel: each one outlived the next heartbeat.
    expect(stats.expiredChannels).toBe(0)
    expect(Math.min(...stats.remainingAtArrivalMs)).toBeGreaterThan(HEARTBEAT_MS)
    expect(stats.refusedJoins).toBe(0)
    expect(statusesDuring).toEqual(Array(injected + 1).fill('SUBSCRIBED'))
    expect(calls).toBeLessThanOrEqual(budget)
  },
  SOAK_MS + 30_000,
)
