// @vitest-environment happy-dom
import { createSession, isKeywayError, type SessionStatus } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { expectLogs } from '../../../test/support/expected-logs.js'
import { act, cleanup, render, renderHook } from '../test/render.js'
import { KeywayProvider, useAuthState, useSession, useToken } from './index.js'

afterEach(cleanup)

async function setup(lifetimeSec = 60) {
  const t = createTestPlatform()
  const connector = await createFakeConnector({ lifetimeSec, now: t.clock.wallNow, track: t.track })
  const session = createSession({ connector, platform: t.platform })
  const wrapper = ({ children }: { children: ReactNode }) => (
    <KeywayProvider session={session}>{children}</KeywayProvider>
  )
  // Lets the fake clock's promises and React's updates settle together.
  const advance = (ms: number) => act(() => t.clock.advance(ms))
  return { t, connector, session, wrapper, advance }
}

const last = (list: string[]) => list[list.length - 1]

function TokenView({ onRender }: { onRender: (token: string | null) => void }) {
  onRender(useToken())
  return null
}

function StateView({ onRender }: { onRender: () => void }) {
  useAuthState()
  onRender()
  return null
}

function Many() {
  useToken()
  useToken()
  useToken()
  return null
}

describe('hooks outside a provider', () => {
  // React 18 console.error()s every error thrown in render, which these tests throw on purpose.
  expectLogs('error', /^The above error occurred in the <TestComponent> component:/)

  it.each([
    ['useSession()', useSession],
    ['useAuthState()', useAuthState],
    ['useToken()', useToken],
  ])('%s throws a KeywayError with code ERR_CONFIG naming the hook', (name, hook) => {
    let caught: unknown
    try {
      renderHook(() => hook())
    } catch (e) {
      caught = e
    }
    expect(isKeywayError(caught, 'ERR_CONFIG')).toBe(true)
    expect((caught as Error).message).toContain(name)
    expect((caught as Error).message).toContain('<KeywayProvider')
  })

  it('useSession() with session={null} throws ERR_CONFIG; the state hooks do not', () => {
    const wrapper = ({ children }: { children: ReactNode }) => (
      <KeywayProvider session={null}>{children}</KeywayProvider>
    )
    expect(() => renderHook(() => useSession(), { wrapper })).toThrow(/session=\{null\}/)
    const { result } = renderHook(() => ({ state: useAuthState(), token: useToken() }), {
      wrapper,
    })
    expect(result.current.state.status).toBe('initializing')
    expect(result.current.token).toBeNull()
  })
})

describe('useSession', () => {
  it('returns the provided session object', async () => {
    const { session, wrapper } = await setup()
    const { result } = renderHook(() => useSession(), { wrapper })
    expect(result.current).toBe(session)
    session.dispose()
  })
})

describe('useAuthState', () => {
  it('follows the session: initializing → authenticated → signedOut, the snapshot object itself', async () => {
    const { t, connector, session, wrapper, advance } = await setup()
    const seen: SessionStatus[] = []
    const { result } = renderHook(
      () => {
        const state = useAuthState()
        seen.push(state.status)
        return state
      },
      { wrapper },
    )
    await advance(0)
    expect(result.current.status).toBe('authenticated')
    expect(result.current.userId).toBe('user_1')
    expect(result.current).toBe(session.getSnapshot())
    expect(result.current.expiresAt).toBeGreaterThan(t.clock.wallNow())
    // Rendering and subscribing asked the connector for nothing.
    expect(connector.callCount).toBe(1)
    await act(() => session.signOut())
    expect(result.current.status).toBe('signedOut')
    expect(result.current.userId).toBeNull()
    expect(seen[0]).toBe('initializing')
    session.dispose()
  })

  it('shows a transient failure as lastError, without throwing into render', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
    connector.failAlways(new Error('503 from the provider'))
    const session = createSession({ connector, platform: t.platform })
    const { result } = renderHook(() => ({ state: useAuthState(), token: useToken() }), {
      wrapper: ({ children }) => <KeywayProvider session={session}>{children}</KeywayProvider>,
    })
    await act(() => t.clock.advance(0))
    expect(result.current.state.status).toBe('error')
    expect(result.current.state.lastError?.code).toBe('ERR_PROVIDER')
    expect(result.current.token).toBeNull()
    connector.failAlways(null)
    await act(() => t.clock.advance(60_000))
    expect(result.current.state.status).toBe('authenticated')
    expect(result.current.state.lastError).toBeNull()
    expect(result.current.token).toBe(last(connector.minted))
    session.dispose()
  })
})

describe('useToken', () => {
  it('is null while the first token loads, then the session token', async () => {
    const { connector, session, wrapper, advance } = await setup()
    const { result } = renderHook(() => useToken(), { wrapper })
    expect(result.current).toBeNull()
    await advance(0)
    expect(result.current).toBe(last(connector.minted))
    expect(result.current).toBe(await session.getToken())
    session.dispose()
  })

  it('re-renders only when the token changes: 3 tokens over 3 refreshes → 4 renders, not one per state change', async () => {
    const { connector, session, wrapper, advance } = await setup(60)
    const tokens: Array<string | null> = []
    let stateRenders = 0
    let stateChanges = 0
    const stop = session.subscribe(() => stateChanges++)
    render(
      <>
        <TokenView onRender={(tk) => tokens.push(tk)} />
        <StateView onRender={() => stateRenders++} />
      </>,
      { wrapper },
    )
    await advance(0)
    // 60 s tokens refresh about 15 s before expiry: three minutes of fake time, three refreshes.
    for (let i = 0; i < 18; i++) await advance(10_000)
    const distinct = tokens.filter((tk, i) => tk !== tokens[i - 1])
    expect(distinct[0]).toBeNull()
    expect(distinct.slice(1)).toEqual(connector.minted)
    expect(connector.minted.length).toBeGreaterThanOrEqual(3)
    // One render per distinct value: null, then each minted token.
    expect(tokens).toHaveLength(1 + connector.minted.length)
    // The session changed state many more times (refreshing flips, counters): useToken sat
    // those out, while useAuthState followed them (React may batch changes that land in one
    // task into one render: React 18 does here, 19 does not).
    expect(stateChanges).toBeGreaterThan(2 * tokens.length)
    expect(stateRenders).toBeGreaterThanOrEqual(tokens.length)
    stop()
    expect(tokens[tokens.length - 1]).toBe(await session.getToken())
    session.dispose()
  })

  it('gets the replacement after a backend rejection, and adds no connector calls of its own', async () => {
    const { connector, session, wrapper, advance } = await setup(3600)
    const { result } = renderHook(() => useToken(), { wrapper })
    await advance(0)
    const first = result.current!
    expect(first).toBe(connector.minted[0])
    await act(async () => {
      await session.reportRejected(first)
    })
    await advance(0)
    expect(result.current).toBe(connector.minted[1])
    expect(result.current).not.toBe(first)
    // initial + the forced fetch after the rejection; the hook asked for nothing more.
    expect(connector.callCount).toBe(2)
    session.dispose()
  })

  it('replaces a token without exp after a rejection (the expiry never changes)', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
    const a = await connector.minter.mint({ sub: 'user_1', noExp: true })
    const b = await connector.minter.mint({ sub: 'user_1', noExp: true })
    connector.answerNext({ token: a }, { token: b })
    const session = createSession({ connector, platform: t.platform })
    const { result } = renderHook(() => useToken(), {
      wrapper: ({ children }) => <KeywayProvider session={session}>{children}</KeywayProvider>,
    })
    await act(() => t.clock.advance(0))
    expect(result.current).toBe(a)
    await act(async () => {
      await session.reportRejected(a)
    })
    await act(() => t.clock.advance(0))
    expect(result.current).toBe(b)
    session.dispose()
  })

  it('drops the token on sign-out and never shows the old user’s token next to the new user', async () => {
    const { connector, session, wrapper, advance } = await setup(3600)
    const pairs: Array<[string | null, string | null]> = []
    const { result } = renderHook(
      () => {
        const state = useAuthState()
        const token = useToken()
        pairs.push([state.userId, token])
        return token
      },
      { wrapper },
    )
    await advance(0)
    const alice = result.current!
    act(() => connector.setUser('user_2'))
    await advance(0)
    expect(result.current).toBe(last(connector.minted))
    expect(result.current).not.toBe(alice)
    for (const [user, token] of pairs)
      if (user === 'user_2') expect(token === null || token !== alice).toBe(true)
    await act(() => session.signOut())
    await advance(0)
    expect(result.current).toBeNull()
    session.dispose()
  })

  it('after session.dispose() it is null in a component that mounts then, and nothing throws into render', async () => {
    // A micro-frontend mounted again over a module-scope session it disposed at teardown, or a
    // component rendering for the first time after the app disposed the session.
    const errors = vi.spyOn(console, 'error')
    try {
      // Never read before the dispose.
      const { session: unread, wrapper: unreadWrapper, advance: settle } = await setup(60)
      await settle(0)
      unread.dispose()
      expect(renderHook(() => useToken(), { wrapper: unreadWrapper }).result.current).toBeNull()

      // Read, then the token changed while nothing read it, then disposed.
      const { connector, session, wrapper, advance } = await setup(60)
      const first = renderHook(() => useToken(), { wrapper })
      await advance(0)
      expect(first.result.current).toBe(connector.minted[0])
      first.unmount()
      await advance(60_000)
      expect(connector.minted.length).toBeGreaterThan(1)
      session.dispose()
      const again = renderHook(() => ({ token: useToken(), state: useAuthState() }), { wrapper })
      expect(again.result.current.token).toBeNull()
      // useAuthState keeps the last state the session reported.
      expect(again.result.current.state.status).toBe('authenticated')
      // React recovers from a throw in a concurrent render by rendering again, and says so.
      expect(errors).not.toHaveBeenCalled()
    } finally {
      errors.mockRestore()
    }
  })

  it('shares one session listener between all useToken callers, and removes it on unmount', async () => {
    const { session, wrapper, advance } = await setup()
    let active = 0
    const subscribe = session.subscribe.bind(session)
    session.subscribe = (listener) => {
      active++
      const off = subscribe(listener)
      return () => {
        active--
        off()
      }
    }
    const view = render(<Many />, { wrapper })
    await advance(0)
    expect(active).toBe(1)
    view.unmount()
    expect(active).toBe(0)
    session.dispose()
  })
})
