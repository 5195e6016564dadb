// A double of the Supabase Realtime server's Phoenix socket, for realtime-js's `transport`
// option (supabase-js: `realtime: { transport }`). It speaks what realtime-js 2.x sends and reads
// (node_modules/@supabase/realtime-js/src/RealtimeClient.ts, RealtimeChannel.ts, lib/serializer.ts
// and @supabase/phoenix's socket.js/channel.js), protocol vsn 2.0.0: JSON arrays
// `[join_ref, ref, topic, event, payload]`.
// - `phoenix`/`heartbeat` → `phx_reply` ok.
// - `phx_join` with `access_token` in the payload: verified against the JWKS with jose; ok, or
//   an error reply "InvalidJWTToken: …" (as the Realtime server answers).
// - `access_token` pushes (realtime-js sends one to every joined channel when the token changes):
//   a valid token replaces the channel's; an invalid or expired one closes the channel.
// - When a joined channel's token expires, or `closeForToken()` plays a server that refuses a
//   still-valid token, the server does what Realtime does: a `system` event with status `error`
//   and "Token has expired …", then `phx_close`. realtime-js removes a closed channel and never
//   rejoins it by itself.
// - `broadcast(n)` sends a broadcast event `row` with `{ n }` to every joined channel: the
//   sync messages of the soak.

import { createOutageMeter, DoubleWebSocket } from '@keyway/core/testing'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'

type Frame = [string | null, string | null, string, string, Record<string, unknown>]

interface Joined {
  socket: PhoenixDoubleSocket
  topic: string
  joinRef: string
  token: string
  expiry: ReturnType<typeof setTimeout>
}

export interface PhoenixDoubleStats {
  connections: number
  joins: number
  refusedJoins: number
  heartbeats: number
  accessTokenPushes: number
  /** Channels closed because their token expired while joined. */
  expiredChannels: number
  injectedCloses: number
  /** Broadcasts sent while no channel of the topic was joined. */
  missedBroadcasts: number
  /** Tokens the server accepted (join or access_token), in order. */
  acceptedTokens: string[]
  /** For every accepted token: ms of life it had left when it arrived. */
  remainingAtArrivalMs: number[]
}

let instance: ReturnType<typeof createPhoenixDouble> | undefined

class PhoenixDoubleSocket extends DoubleWebSocket {
  constructor(url: string) {
    super(url)
    instance!.stats.connections++
  }

  protected receive(data: string) {
    void instance!.receive(this, JSON.parse(data) as Frame)
  }

  protected override closed() {
    instance!.dropSocket(this)
  }

  reply(frame: Frame) {
    this.deliver(JSON.stringify(frame))
  }
}

export function createPhoenixDouble(options: { jwks: JSONWebKeySet; issuer: string }) {
  const keys = createLocalJWKSet(options.jwks)
  const joined = new Set<Joined>()
  const stats: PhoenixDoubleStats = {
    connections: 0,
    joins: 0,
    refusedJoins: 0,
    heartbeats: 0,
    accessTokenPushes: 0,
    expiredChannels: 0,
    injectedCloses: 0,
    missedBroadcasts: 0,
    acceptedTokens: [],
    remainingAtArrivalMs: [],
  }
  const outage = createOutageMeter()
  const noteJoinState = () => outage.note(joined.size > 0)

  async function verify(token: unknown): Promise<{ exp: number }> {
    if (typeof token !== 'string') throw new Error('no access_token')
    const { payload } = await jwtVerify(token, keys, { issuer: options.issuer })
    return { exp: payload.exp! * 1000 }
  }

  function accept(channel: Joined, token: string, exp: number) {
    clearTimeout(channel.expiry)
    channel.token = token
    stats.acceptedTokens.push(token)
    stats.remainingAtArrivalMs.push(exp - Date.now())
    channel.expiry = setTimeout(() => {
      stats.expiredChannels++
      shutDown(channel, 'Token has expired 0 seconds ago')
    }, exp - Date.now())
  }

  /** What the Realtime server does with a channel whose token is no good: system error, close. */
  function shutDown(channel: Joined, message: string) {
    clearTimeout(channel.expiry)
    if (!joined.delete(channel)) return
    const sub = channel.topic.replace(/^realtime:/, '')
    channel.socket.reply([
      channel.joinRef,
      null,
      channel.topic,
      'system',
      { extension: 'system', status: 'error', message, channel: sub },
    ])
    channel.socket.reply([channel.joinRef, channel.joinRef, channel.topic, 'phx_close', {}])
    noteJoinState()
  }

  const server = {
    stats,
    /** Close every channel for its token as soon as it joins, before the join's reply. */
    closeEveryJoin: false,
    Transport: PhoenixDoubleSocket,

    async receive(socket: PhoenixDoubleSocket, [joinRef, ref, topic, event, payload]: Frame) {
      const reply = (status: 'ok' | 'error', response: Record<string, unknown>) =>
        socket.reply([joinRef, ref, topic, 'phx_reply', { status, response }])
      if (topic === 'phoenix' && event === 'heartbeat') {
        stats.heartbeats++
        return reply('ok', {})
      }
      if (event === 'phx_join') {
        stats.joins++
        try {
          const { exp } = await verify(payload.access_token)
          if (socket.readyState !== 1) return
          const channel: Joined = {
            socket,
            topic,
            joinRef: joinRef!,
            token: '',
            expiry: undefined as never,
          }
          joined.add(channel)
          accept(channel, payload.access_token as string, exp)
          noteJoinState()
          if (server.closeEveryJoin) return shutDown(channel, 'Token has expired 0 seconds ago')
          return reply('ok', {})
        } catch (error) {
          stats.refusedJoins++
          return reply('error', { reason: `InvalidJWTToken: ${(error as Error).message}` })
        }
      }
      const channel = [...joined].find((c) => c.socket === socket && c.topic === topic)
      if (event === 'access_token' && channel) {
        stats.accessTokenPushes++
        try {
          const { exp } = await verify(payload.access_token)
          accept(channel, payload.access_token as string, exp)
        } catch (error) {
          shutDown(channel, `Token has expired: ${(error as Error).message}`)
        }
        return
      }
      if (event === 'phx_leave' && channel) {
        clearTimeout(channel.expiry)
        joined.delete(channel)
        noteJoinState()
        return reply('ok', {})
      }
    },

    dropSocket(socket: PhoenixDoubleSocket) {
      for (const channel of [...joined])
        if (channel.socket === socket) {
          clearTimeout(channel.expiry)
          joined.delete(channel)
        }
      noteJoinState()
    },

    /** Sends broadcast `row` `{ n }` to every joined channel of `topic`; false when none is. */
    broadcast(topic: string, n: number): boolean {
      const targets = [...joined].filter((c) => c.topic === `realtime:${topic}`)
      if (targets.length === 0) stats.missedBroadcasts++
      for (const c of targets)
        c.socket.reply([
          c.joinRef,
          null,
          c.topic,
          'broadcast',
          { type: 'broadcast', event: 'row', payload: { n } },
        ])
      return targets.length > 0
    },

    /** The server refuses the token of every joined channel: system error, then close. */
    closeForToken(): number {
      const all = [...joined]
      for (const c of all) shutDown(c, 'Token has expired 0 seconds ago')
      stats.injectedCloses += all.length
      return all.length
    },

    /** Longest stretch (ms) with no channel joined, once one had been. */
    get longestUnjoinedMs() {
      return outage.longestMs
    },

    finish() {
      outage.finish()
      for (const c of joined) clearTimeout(c.expiry)
      joined.clear()
      instance = undefined
    },
  }
  instance = server
  return server
}
