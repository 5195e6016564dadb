import { createSession, type Session } from '@keyway/core'
import { createFakeConnector, createTokenMinter, type FakeConnector } from '@keyway/core/testing'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { subscribeRealtime, supabaseAccessToken } from '../src/index.js'
import { createPhoenixDouble } from './realtime-phoenix-double.js'

/**
 * A session over a fake connector minting real JWTs, supabase-js with keyway's accessToken,
 * its real RealtimeClient over the Phoenix double, and one channel `room` subscribed through
 * subscribeRealtime, collecting the broadcast rows and the statuses.
 */
export async function realtimeSetup(options: { lifetimeSec: number; heartbeatMs: number }) {
  const minter = await createTokenMinter()
  const connector: FakeConnector = await createFakeConnector({
    minter,
    lifetimeSec: options.lifetimeSec,
  })
  const session: Session = createSession({ connector })
  const server = createPhoenixDouble({ jwks: minter.jwks, issuer: minter.issuer })
  const supabase: SupabaseClient = createClient('http://127.0.0.1:54321', 'anon-key', {
    accessToken: supabaseAccessToken(session, { minValidityMs: options.heartbeatMs + 5_000 }),
    realtime: {
      transport: server.Transport as never,
      heartbeatIntervalMs: options.heartbeatMs,
    },
  })
  const rows: number[] = []
  const statuses: string[] = []
  const errors: unknown[] = []
  const unsubscribe = subscribeRealtime(
    session,
    () =>
      supabase
        .channel('room')
        .on('broadcast', { event: 'row' }, ({ payload }) =>
          rows.push((payload as { n: number }).n),
        ),
    (status, error) => {
      statuses.push(status)
      if (error) errors.push(error)
    },
  )
  async function stop() {
    await unsubscribe()
    supabase.realtime.disconnect()
    server.finish()
    session.dispose()
  }
  return { connector, session, server, supabase, rows, statuses, errors, stop }
}
