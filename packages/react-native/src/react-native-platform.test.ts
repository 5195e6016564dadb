import { createSession, type PlatformEvent } from '@keyway/core'
import { createFakeConnector, createMemoryStorage, createTestPlatform } from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'
import { fakeAppState, fakeNetInfo } from '../test/stand-ins.js'
import { pausableTimers } from './paused-timers.js'
import { reactNativePlatform } from './react-native-platform.js'

const HOUR = 3_600_000

/** A session on the React Native platform, on a fake clock, with 1 h tokens. */
async function setup(options: { appState?: string; withNetInfo?: boolean } = {}) {
  const t = createTestPlatform()
  const AppState = fakeAppState(options.appState ?? 'active')
  const NetInfo = fakeNetInfo()
  const platform = reactNativePlatform({
    AppState,
    ...(options.withNetInfo === false ? {} : { NetInfo }),
    storage: createMemoryStorage(),
    clock: t.platform,
    logger: t.platform.logger,
  })
  const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
  const session = createSession({ connector, platform })
  await t.flush()
  return { t, AppState, NetInfo, platform, connector, session }
}

describe('reactNativePlatform: AppState', () => {
  it('coming to the foreground with a token due makes one fetch at once (reason wake)', async () => {
    const { t, AppState, connector, session } = await setup()
    await session.getToken()
    expect(connector.callCount).toBe(1)
    AppState.set('background')
    await t.clock.advance(HOUR + 60_000) // past expiry, while in the background
    expect(connector.callCount).toBe(1)
    AppState.set('active')
    await t.flush()
    expect(connector.callCount).toBe(2)
    expect(connector.calls[1]?.reason).toBe('wake')
    expect(session.getSnapshot().status).toBe('authenticated')
    session.dispose()
  })

  it('coming to the foreground with a fresh token makes no call', async () => {
    const { t, AppState, connector, session } = await setup()
    await session.getToken()
    AppState.set('background')
    await t.clock.advance(60_000)
    AppState.set('active')
    await t.flush()
    expect(connector.callCount).toBe(1)
    session.dispose()
  })

  it('a fetch that settles in the background arms no timer; past expiry, one fetch on foreground', async () => {
    const { t, AppState, connector, session } = await setup()
    await session.getToken()
    session.dispose()
    // A fresh session whose first fetch is still in flight when the app leaves the screen.
    const release = connector.hold()
    const platform = reactNativePlatform({
      AppState,
      storage: createMemoryStorage(),
      clock: t.platform,
      logger: t.platform.logger,
    })
    const second = createSession({ connector, platform })
    await t.flush()
    const calls = connector.callCount
    AppState.set('background')
    release()
    await t.flush()
    expect(second.getSnapshot().status).toBe('authenticated')
    expect(t.pendingTimers()).toBe(0) // the session arms no refresh timer in the background
    await t.clock.advance(2 * HOUR)
    expect(connector.callCount).toBe(calls) // came due, held back: no fetch behind the user's back
    AppState.set('active')
    await t.flush()
    expect(connector.callCount).toBe(calls + 1)
    expect(connector.calls.at(-1)?.reason).toBe('wake')
    second.dispose()
  })

  it('inactive (iOS control centre, app switcher) pauses nothing; active again checks', async () => {
    const { t, AppState, platform, session } = await setup()
    const events: PlatformEvent[] = []
    const stop = platform.subscribe((e) => events.push(e))
    AppState.set('inactive')
    AppState.set('active')
    AppState.set('background')
    AppState.set('active')
    expect(events).toEqual(['wake', 'background', 'wake'])
    stop()
    session.dispose()
    expect(t.pendingTimers()).toBe(0)
  })

  it('a session started in the background (a headless launch) fetches nothing on timers until the app is active', async () => {
    const { t, AppState, connector, session } = await setup({ appState: 'background' })
    // The first fetch is not a timer: it runs at once, as an explicit getToken would.
    await session.getToken()
    const calls = connector.callCount
    await t.clock.advance(2 * HOUR)
    expect(connector.callCount).toBe(calls)
    AppState.set('active')
    await t.flush()
    expect(connector.callCount).toBe(calls + 1)
    session.dispose()
  })
})

describe('reactNativePlatform: NetInfo', () => {
  it('offline: no fetch even when due; online: a fetch at once', async () => {
    const { t, NetInfo, platform, connector, session } = await setup()
    await session.getToken()
    NetInfo.set({ isConnected: false, isInternetReachable: false })
    expect(platform.isOnline()).toBe(false)
    await t.clock.advance(HOUR - 120_000) // refresh due, token still valid
    expect(connector.callCount).toBe(1)
    expect(await session.getToken()).toBe(connector.minted[0]) // still served, no call
    expect(connector.callCount).toBe(1)
    NetInfo.set({ isConnected: true, isInternetReachable: true })
    await t.flush()
    expect(platform.isOnline()).toBe(true)
    expect(connector.callCount).toBe(2)
    session.dispose()
  })

  it('hears the state NetInfo reports right after subscribing (offline at launch)', async () => {
    const t = createTestPlatform()
    const NetInfo = fakeNetInfo({ isConnected: false, isInternetReachable: null })
    const platform = reactNativePlatform({
      AppState: fakeAppState(),
      NetInfo,
      storage: createMemoryStorage(),
      clock: t.platform,
    })
    const events: PlatformEvent[] = []
    const stop = platform.subscribe((e) => events.push(e))
    await t.flush()
    expect(events).toEqual(['offline'])
    expect(platform.isOnline()).toBe(false)
    stop()
  })

  it('an unknown connection (null) counts as online; isInternetReachable false only with offlineWhenUnreachable', async () => {
    const t = createTestPlatform()
    const NetInfo = fakeNetInfo({ isConnected: null, isInternetReachable: null })
    const lenient = reactNativePlatform({
      AppState: fakeAppState(),
      NetInfo,
      storage: createMemoryStorage(),
      clock: t.platform,
    })
    const strict = reactNativePlatform({
      AppState: fakeAppState(),
      NetInfo,
      storage: createMemoryStorage(),
      clock: t.platform,
      offlineWhenUnreachable: true,
    })
    const stops = [lenient.subscribe(() => {}), strict.subscribe(() => {})]
    await t.flush()
    expect([lenient.isOnline(), strict.isOnline()]).toEqual([true, true])
    NetInfo.set({ isConnected: true, isInternetReachable: false })
    expect([lenient.isOnline(), strict.isOnline()]).toEqual([true, false])
    for (const stop of stops) stop()
  })

  it('back online while in the background: no fetch until the app is active', async () => {
    const { t, AppState, NetInfo, connector, session } = await setup()
    await session.getToken()
    NetInfo.set({ isConnected: false })
    AppState.set('background')
    await t.clock.advance(HOUR + 1)
    NetInfo.set({ isConnected: true })
    await t.flush()
    expect(connector.callCount).toBe(1)
    AppState.set('active')
    await t.flush()
    expect(connector.callCount).toBe(2)
    session.dispose()
  })

  it('without NetInfo the device counts as online', async () => {
    const { t, platform, connector, session } = await setup({ withNetInfo: false })
    await session.getToken()
    expect(platform.isOnline()).toBe(true)
    await t.clock.advance(HOUR)
    expect(connector.callCount).toBe(2)
    session.dispose()
  })
})

describe('reactNativePlatform: listeners', () => {
  it('holds AppState and NetInfo listeners only while a session is subscribed', async () => {
    const { t, AppState, NetInfo, session } = await setup()
    expect(AppState.listenerCount()).toBe(1)
    expect(NetInfo.listenerCount()).toBe(1)
    session.dispose()
    expect(AppState.listenerCount()).toBe(0)
    expect(NetInfo.listenerCount()).toBe(0)
    expect(t.pendingTimers()).toBe(0)
  })

  it('touches no window, document, BroadcastChannel or IndexedDB, and has no cross-tab part', async () => {
    const { platform, session } = await setup()
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    expect(typeof (globalThis as { indexedDB?: unknown }).indexedDB).toBe('undefined')
    expect(platform.crossTab).toBeUndefined()
    expect(platform.storage).toBeDefined()
    session.dispose()
  })
})

describe('pausableTimers', () => {
  it('holds callbacks that come due while paused, runs them in order on resume, and honours clearTimeout', async () => {
    const t = createTestPlatform()
    const timers = pausableTimers(t.platform)
    const ran: string[] = []
    timers.setTimeout(() => ran.push('a'), 1_000)
    const b = timers.setTimeout(() => ran.push('b'), 2_000)
    timers.setTimeout(() => ran.push('c'), 3_000)
    timers.setTimeout(() => ran.push('later'), 60_000)
    timers.pause()
    await t.clock.advance(5_000)
    expect(ran).toEqual([])
    timers.clearTimeout(b)
    timers.resume()
    expect(ran).toEqual(['a', 'c'])
    await t.clock.advance(60_000)
    expect(ran).toEqual(['a', 'c', 'later'])
  })
})
