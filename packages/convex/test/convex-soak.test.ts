import { createSession } from '@keyway/core'
import {
  countReasons,
  createFakeConnector,
  createTokenMinter,
  shortestRefreshIntervalMs,
  sleep,
  soakLifetimeSec,
} from '@keyway/core/testing'
import { ConvexClient } from 'convex/browser'
import { makeFunctionReference } from 'convex/server'
import { expect, it } from 'vitest'
import { convexFetchToken } from '../src/index.js'
import { createConvexSyncDouble } from './convex-sync-double.js'

// Soak: the real ConvexClient over the sync double, real timers, a mutation every 250 ms and a
// refused token every 0.65 token lifetime. `pnpm test` runs it 9 s with 4 s tokens (a refusal
// every 2.6 s); KEYWAY_SOAK_MS runs it longer (`pnpm soak`: 5 min, 20 s tokens, a refusal
// every 13 s). Convex refetches a token `authRefreshTokenLeewaySeconds` before it expires
// (10 s by default): half a lifetime here, its default for 20 s tokens.

const SOAK_MS = Number(process.env.KEYWAY_SOAK_MS ?? 9_000)
const LIFETIME_SEC = soakLifetimeSec(SOAK_MS)
const REJECT_EVERY_MS = LIFETIME_SEC * 650
const MUTATE_EVERY_MS = 250
const REFRESH_INTERVAL_MIN_MS = shortestRefreshIntervalMs(LIFETIME_SEC)

const list = makeFunctionReference<'query', Record<string, never>, number[] | null>('messages:list')
const send = makeFunctionReference<'mutation', { n: number }, null>('messages:send')

it(
  `soak (double of the Convex sync protocol): ${SOAK_MS / 1000} s, ${LIFETIME_SEC} s tokens, a refused token every ${REJECT_EVERY_MS / 1000} s`,
  async () => {
    const minter = await createTokenMinter()
    const connector = await createFakeConnector({ minter, lifetimeSec: LIFETIME_SEC })
    const session = createSession({ connector })
    const deployment = createConvexSyncDouble({ jwks: minter.jwks, issuer: minter.issuer })
    const client = new ConvexClient('http://127.0.0.1:3210', {
      webSocketConstructor: deployment.WebSocket,
      skipConvexDeploymentUrlCheck: true,
      initialAuthTokenReuse: true,
      authRefreshTokenLeewaySeconds: LIFETIME_SEC / 2,
      logger: false,
    })
    const authChanges: boolean[] = []
    client.setAuth(convexFetchToken(session), (authenticated) => authChanges.push(authenticated))
    let seen: number[] | null = null
    const unsubscribe = client.onUpdate(list, {}, (value) => {
      seen = value
    })

    const started = Date.now()
    const mutations: Array<Promise<unknown>> = []
    let injected = 0
    let nextRejection = started + REJECT_EVERY_MS
    while (Date.now() - started < SOAK_MS) {
      mutations.push(client.mutation(send, { n: mutations.length }))
      if (Date.now() >= nextRejection) {
        injected += deployment.rejectCurrent()
        nextRejection += REJECT_EVERY_MS
      }
      await sleep(MUTATE_EVERY_MS)
    }
    const outcomes = await Promise.allSettled(mutations)
    const sent = mutations.length
    const deadline = Date.now() + 5_000
    while ((seen as number[] | null)?.length !== sent && Date.now() < deadline) await sleep(20)
    deployment.finish()
    unsubscribe()
    await client.close()

    const { stats } = deployment
    const calls = connector.callCount
    const elapsedMs = Date.now() - started
    const budget = 1 + injected + Math.ceil(elapsedMs / REFRESH_INTERVAL_MIN_MS)
    console.log(
      [
        `convex soak: ${(elapsedMs / 1000).toFixed(1)} s, ${LIFETIME_SEC} s tokens`,
        `mutations sent ${sent}, ran ${stats.mutationsRun}, failed ${outcomes.filter((o) => o.status === 'rejected').length}, unauthenticated ${stats.unauthenticatedMutations}, resent after a restart ${stats.resentMutations}`,
        `query rows ${seen === null ? 'none' : (seen as number[]).length}`,
        `injected rejections ${injected}; tokens accepted ${stats.acceptedTokens.length}, refused ${stats.refusedAuthenticates}, expired on a socket ${stats.expiredOnSocket}, connections ${stats.connections}`,
        `longest unauthenticated ${deployment.longestUnauthenticatedMs} ms; onChange(false) ${authChanges.filter((a) => !a).length}×`,
        `connector calls ${calls} (≤ ${budget}: 1 + ${injected} rejections + one per ${REFRESH_INTERVAL_MIN_MS / 1000} s), session rejections ${session.getSnapshot().counters.rejections}, fetches by reason ${JSON.stringify(countReasons(connector.calls))}`,
      ].join('\n  '),
    )
    session.dispose()

    expect(injected).toBeGreaterThanOrEqual(Math.floor(SOAK_MS / REJECT_EVERY_MS))
    // No write lost or run twice, and the live query ends with every row exactly once.
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true)
    expect(stats.mutationsRun).toBe(sent)
    expect(stats.unauthenticatedMutations).toBe(0)
    expect([...(seen ?? [])].sort((a, b) => a - b)).toEqual([...Array(sent).keys()])
    // Never unauthenticated for long, never told the app it was signed out, never an expired token.
    expect(deployment.longestUnauthenticatedMs).toBeLessThan(1_000)
    expect(authChanges).not.toContain(false)
    expect(stats.expiredOnSocket).toBe(0)
    expect(stats.refusedAuthenticates).toBe(0)
    expect(new Set(stats.acceptedTokens).size).toBe(stats.acceptedTokens.length)
    expect(calls).toBeLessThanOrEqual(budget)
  },
  SOAK_MS + 30_000,
)
