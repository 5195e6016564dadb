import { KeywayError, type Session } from '@keyway/core'
import type { RealtimeChannel } from '@supabase/supabase-js'

/** The statuses `channel.subscribe(callback)` reports. */
export type RealtimeStatus = 'SUBSCRIBED' | 'TIMED_OUT' | 'CLOSED' | 'CHANNEL_ERROR'

/**
 * Subscribes the channel `open` builds and keeps it subscribed across token expiry. The
 * Realtime server closes a channel whose token expired (a `system` error "Token has expired…",
 * then `phx_close`), and realtime-js does not rejoin a closed channel. Here such a channel is
 * built again by `open` and subscribed once more, after the session has a fresh token (the
 * expired one is reported rejected when keyway still deemed it valid, e.g. clock skew).
 * A channel closed again for its token before it was subscribed is not retried: the status
 * callback gets `CHANNEL_ERROR` with a `KeywayError` (`ERR_REJECTED`). Nor is one closed after
 * `session.dispose()`: the callback gets `CHANNEL_ERROR` with `ERR_DISPOSED`.
 *
 * `open` must return a new channel each time (a Phoenix channel joins only once), with its
 * `.on(…)` bindings set and not yet subscribed. Statuses other than the handled close reach
 * `onStatus` as they are. Returns a function that unsubscribes the current channel.
 *
 * @example
 * ```ts
 * const stop = subscribeRealtime(session, () =>
 *   supabase.channel('room:1').on('broadcast', { event: 'message' }, ({ payload }) => show(payload)),
 * )
 * ```
 */
export function subscribeRealtime(
  session: Session,
  open: () => RealtimeChannel,
  onStatus?: (status: RealtimeStatus, error?: Error) => void,
): () => Promise<void> {
  let channel: RealtimeChannel
  let stopped = false
  /** A resubscription is under way and has not reached SUBSCRIBED yet. */
  let renewing = false

  async function start(): Promise<void> {
    let tokenExpired = false
    const current = open()
    channel = current
    current.on('system', {}, (payload: { status?: string; message?: string }) => {
      if (payload.status === 'error' && /token/i.test(payload.message ?? '')) tokenExpired = true
    })
    // The join carries the client's token as it is when the join is sent: ask the session
    // first, so the channel never joins with no token or the expired one.
    await current.socket.setAuth()
    if (stopped) return
    current.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') renewing = false
      if (status === 'CLOSED' && tokenExpired && !stopped) {
        if (!renewing) return void renew(current)
        return onStatus?.(
          'CHANNEL_ERROR',
          new KeywayError('ERR_REJECTED', 'Realtime closed the channel again for its token'),
        )
      }
      onStatus?.(status, error)
    })
  }

  async function renew(closed: RealtimeChannel): Promise<void> {
    renewing = true
    try {
      const token = closed.socket.accessTokenValue
      // The server says expired, keyway says valid (clock skew, a revoked key): drop it.
      if (token && session.peek()?.token === token)
        await session.reportRejected(token).catch(() => {})
      // After session.dispose() peek() throws ERR_DISPOSED: no token will ever come, so the
      // channel is not built again and onStatus hears why (realtime-js swallows a failed
      // accessToken and would rejoin with the expired token). So does anything else that
      // fails here, instead of an unhandled rejection in realtime-js's status callback.
      session.peek()
      if (!stopped) await start()
    } catch (error) {
      onStatus?.('CHANNEL_ERROR', error as Error)
    }
  }

  void start()
  return async () => {
    stopped = true
    await channel.unsubscribe()
  }
}
