// A double of a Convex deployment's sync WebSocket (`/api/<version>/sync`), for ConvexClient's
// `webSocketConstructor` option. It speaks the messages convex-js's client sends and reads
// (node_modules/convex/src/browser/sync/protocol.ts, web_socket_manager.ts,
// authentication_manager.ts): Connect, Authenticate, ModifyQuerySet, Mutation in; Transition,
// MutationResponse, AuthError out. It verifies every token against the provider's JWKS with
// jose, as a deployment configured in `convex/auth.config.ts` does, and behaves like one:
// - an accepted Authenticate advances the identity version in a Transition, which is how the
//   client learns that its token was confirmed; a refused one answers AuthError with
//   `authUpdateAttempted: true`;
// - when the connection's token expires, AuthError with `authUpdateAttempted: false`;
// - `rejectCurrent()` plays a deployment that refuses a still-valid token (key rotated, user
//   revoked): AuthError, and that token never authenticates again;
// - one app: query `messages:list` (the signed-in user's messages) and mutation
//   `messages:send` (`{ n }`), which fails for a connection without a valid identity.

import { Buffer } from 'node:buffer'
import { createOutageMeter, DoubleWebSocket } from '@keyway/core/testing'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'

interface Identity {
  sub: string
  token: string
  /** Epoch ms. */
  exp: number
}

interface Version {
  querySet: number
  ts: number
  identity: number
}

export interface SyncDoubleStats {
  connections: number
  authenticates: number
  refusedAuthenticates: number
  /** Connections whose token expired while they were open. */
  expiredOnSocket: number
  injectedRejections: number
  /** Mutations the deployment ran, and ones refused for want of a valid identity. */
  mutationsRun: number
  unauthenticatedMutations: number
  /**
   * Mutations received again (same session and request id: the client resends what was in
   * flight when its socket restarted) after they had run: answered from the first run.
   */
  resentMutations: number
  /** Tokens this deployment accepted, in order. */
  acceptedTokens: string[]
}

const encodeTs = (ts: number) => {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64LE(BigInt(ts))
  return bytes.toString('base64')
}

export function createConvexSyncDouble(options: { jwks: JSONWebKeySet; issuer: string }) {
  const keys = createLocalJWKSet(options.jwks)
  const revoked = new Set<string>()
  /** Per user: the `n` of every message sent, in order. */
  const messages = new Map<string, number[]>()
  /** Mutations run, by session and request id: the ts of their write. */
  const ran = new Map<string, number>()
  let ts = 1
  const sockets = new Set<DoubleSocket>()
  const stats: SyncDoubleStats = {
    connections: 0,
    authenticates: 0,
    refusedAuthenticates: 0,
    expiredOnSocket: 0,
    injectedRejections: 0,
    mutationsRun: 0,
    unauthenticatedMutations: 0,
    resentMutations: 0,
    acceptedTokens: [],
  }
  const outage = createOutageMeter()
  /** Tracks the longest stretch with no authenticated connection. */
  const noteAuthState = () => outage.note([...sockets].some((s) => s.identity !== undefined))

  class DoubleSocket extends DoubleWebSocket {
    identity: Identity | undefined
    private sessionId = ''
    private version: Version = { querySet: 0, ts: 0, identity: 0 }
    private queries = new Map<number, string>()
    private expiry: ReturnType<typeof setTimeout> | undefined
    /** Messages are handled one at a time, in order, as the deployment's sync worker does. */
    private queue = Promise.resolve()

    constructor(url: string) {
      super(url)
      stats.connections++
      sockets.add(this)
    }

    protected receive(data: string) {
      const message = JSON.parse(data)
      this.queue = this.queue.then(() => this.handle(message))
    }

    /** The deployment refuses the current token from now on (a 401 on a live socket). */
    reject() {
      if (!this.identity) return false
      revoked.add(this.identity.token)
      stats.injectedRejections++
      this.loseIdentity('Token rejected by the deployment')
      return true
    }

    protected override closed() {
      clearTimeout(this.expiry)
      this.identity = undefined
      sockets.delete(this)
      noteAuthState()
    }

    /**
     * The connection loses its identity as the client hears of it: messages the client sent
     * before then still run with it (the double's network has no latency to lose them in).
     */
    private loseIdentity(error: string) {
      clearTimeout(this.expiry)
      const lost = this.identity
      // Reported against the version that set the identity: the client matches it with `+ 1`.
      this.reply(
        {
          type: 'AuthError',
          error,
          baseVersion: this.version.identity - 1,
          authUpdateAttempted: false,
        },
        () => {
          if (this.identity === lost) this.identity = undefined
          noteAuthState()
        },
      )
    }

    private reply(message: object, delivered?: () => void) {
      this.deliver(JSON.stringify(message), delivered)
    }

    private transition(next: Partial<Version>) {
      const start = this.version
      this.version = { ...start, ...next }
      this.reply({
        type: 'Transition',
        startVersion: { ...start, ts: encodeTs(start.ts) },
        endVersion: { ...this.version, ts: encodeTs(this.version.ts) },
        modifications: [...this.queries].map(([queryId]) => ({
          type: 'QueryUpdated',
          queryId,
          value: this.identity ? [...(messages.get(this.identity.sub) ?? [])] : null,
          logLines: [],
          journal: null,
        })),
      })
    }

    private async handle(message: Record<string, unknown>) {
      if (this.readyState !== 1) return
      switch (message.type) {
        case 'Connect':
          this.sessionId = message.sessionId as string
          return
        case 'Authenticate':
          return this.authenticate(message)
        case 'ModifyQuerySet': {
          for (const m of message.modifications as Array<{
            type: string
            queryId: number
            udfPath: string
          }>) {
            if (m.type === 'Add') this.queries.set(m.queryId, m.udfPath)
            else this.queries.delete(m.queryId)
          }
          return this.transition({ querySet: message.newVersion as number, ts })
        }
        case 'Mutation':
          return this.mutation(message)
        default:
          return
      }
    }

    private async authenticate(message: Record<string, unknown>) {
      stats.authenticates++
      const base = message.baseVersion as number
      const token = message.value as string
      try {
        if (message.tokenType !== 'User') throw new Error('not a user token')
        if (revoked.has(token)) throw new Error('token revoked')
        const { payload } = await jwtVerify(token, keys, { issuer: options.issuer })
        if (this.readyState !== 1) return
        clearTimeout(this.expiry)
        this.identity = { sub: payload.sub!, token, exp: payload.exp! * 1000 }
        stats.acceptedTokens.push(token)
        this.expiry = setTimeout(() => {
          if (this.identity?.token !== token) return
          stats.expiredOnSocket++
          this.loseIdentity('Token expired')
        }, this.identity.exp - Date.now())
        noteAuthState()
        this.transition({ identity: base + 1, ts })
      } catch (error) {
        stats.refusedAuthenticates++
        this.reply({
          type: 'AuthError',
          error: `Could not verify OIDC token claim: ${(error as Error).message}`,
          baseVersion: base,
          authUpdateAttempted: true,
        })
      }
    }

    private mutation(message: Record<string, unknown>) {
      const key = `${this.sessionId}:${message.requestId}`
      const requestId = message.requestId
      const done = ran.get(key)
      if (done !== undefined) {
        stats.resentMutations++
        this.reply({
          type: 'MutationResponse',
          requestId,
          success: true,
          result: null,
          ts: encodeTs(done),
          logLines: [],
        })
        // The client completes a mutation on the first Transition at or past its ts.
        this.transition({ ts })
        return
      }
      if (!this.identity || this.identity.exp <= Date.now()) {
        stats.unauthenticatedMutations++
        this.reply({
          type: 'MutationResponse',
          requestId,
          success: false,
          result: 'Unauthenticated',
          logLines: [],
        })
        return
      }
      stats.mutationsRun++
      const { n } = (message.args as Array<{ n: number }>)[0]!
      const list = messages.get(this.identity.sub) ?? []
      list.push(n)
      messages.set(this.identity.sub, list)
      ts++
      ran.set(key, ts)
      this.reply({
        type: 'MutationResponse',
        requestId,
        success: true,
        result: null,
        ts: encodeTs(ts),
        logLines: [],
      })
      // Every connection of the deployment sees the write.
      for (const socket of sockets) socket.transition({ ts })
    }
  }

  return {
    WebSocket: DoubleSocket as unknown as typeof WebSocket,
    stats,
    messagesOf: (sub: string) => [...(messages.get(sub) ?? [])],
    /** Refuses the token of every authenticated connection, as a 401 on a live socket. */
    rejectCurrent: () => [...sockets].filter((s) => s.reject()).length,
    /** Longest stretch (ms) with no open connection authenticated, once one had been. */
    get longestUnauthenticatedMs() {
      return outage.longestMs
    },
    /** Closes the connections, and the stretch still open so that it counts. */
    finish: () => {
      outage.finish()
      for (const s of [...sockets]) s.close()
    },
  }
}
