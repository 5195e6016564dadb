// @vitest-environment happy-dom
import { createSession, type Session } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import { StrictMode, useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { act, cleanup, render } from '../test/render.js'
import { KeywayProvider, useAuthState, useToken } from './index.js'

afterEach(cleanup)

async function world() {
  const t = createTestPlatform()
  const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
  return { t, connector }
}

/** Counts the session listeners that are currently subscribed. */
function countSubscriptions(session: Session): { readonly active: number } {
  const counter = { active: 0 }
  const subscribe = session.subscribe.bind(session)
  session.subscribe = (listener) => {
    counter.active++
    const off = subscribe(listener)
    let done = false
    return () => {
      if (done) return
      done = true
      counter.active--
      off()
    }
  }
  return counter
}

function Consumer({ onToken }: { onToken: (token: string | null) => void }) {
  const { status } = useAuthState()
  const token = useToken()
  onToken(token)
  return <span data-status={status}>{token ? 'token' : 'none'}</span>
}

/** The app's root, holding its session in state created by `init`. */
function App({ init }: { init: () => Session }) {
  const [session] = useState(init)
  return (
    <KeywayProvider session={session}>
      <Consumer onToken={() => {}} />
    </KeywayProvider>
  )
}

describe('under <StrictMode> (double render, double effects)', () => {
  it('a session created outside render: one session, one timer, one host listener, no leaked subscription', async () => {
    const { t, connector } = await world()
    const session = createSession({ connector, platform: t.platform })
    const subscriptions = countSubscriptions(session)
    const tokens: Array<string | null> = []
    const view = render(
      <StrictMode>
        <KeywayProvider session={session}>
          <Consumer onToken={(tk) => tokens.push(tk)} />
        </KeywayProvider>
      </StrictMode>,
    )
    await act(() => t.clock.advance(0))
    expect(view.container.textContent).toBe('token')
    expect(tokens[tokens.length - 1]).toBe(connector.minted[0])
    // One session: one connector call, one provider subscription, one host listener, one timer.
    expect(connector.callCount).toBe(1)
    expect(connector.listenerCount).toBe(1)
    expect(t.listenerCount()).toBe(1)
    expect(t.pendingTimers()).toBe(1)
    // useAuthState and the shared token store: two session listeners after the rehearsal.
    expect(subscriptions.active).toBe(2)
    view.unmount()
    expect(subscriptions.active).toBe(0)
    // The provider does not own the session: it keeps running until the app disposes it.
    expect(t.pendingTimers()).toBe(1)
    session.dispose()
    expect(t.pendingTimers()).toBe(0)
    expect(t.listenerCount()).toBe(0)
    expect(connector.listenerCount).toBe(0)
  })

  it('the documented pattern, useState(getSession) with an idempotent getter, makes one session', async () => {
    const { t, connector } = await world()
    let created = 0
    let shared: Session | undefined
    const getSession = () => {
      if (!shared) {
        created++
        shared = createSession({ connector, platform: t.platform })
      }
      return shared
    }
    const view = render(
      <StrictMode>
        <App init={getSession} />
      </StrictMode>,
    )
    await act(() => t.clock.advance(0))
    expect(created).toBe(1)
    expect(connector.callCount).toBe(1)
    expect(t.listenerCount()).toBe(1)
    expect(t.pendingTimers()).toBe(1)
    view.unmount()
    shared!.dispose()
    expect(t.pendingTimers()).toBe(0)
    expect(t.listenerCount()).toBe(0)
  })

  it('why the getter must be idempotent: a bare useState(() => createSession(…)) makes two sessions under StrictMode', async () => {
    const { t, connector } = await world()
    const sessions: Session[] = []
    const view = render(
      <StrictMode>
        <App
          init={() => {
            const s = createSession({ connector, platform: t.platform })
            sessions.push(s)
            return s
          }}
        />
      </StrictMode>,
    )
    await act(() => t.clock.advance(0))
    // React calls state initializers twice in StrictMode and keeps one result: the other
    // session still runs, with its own timer and listeners and nobody to dispose it.
    expect(sessions).toHaveLength(2)
    expect(t.listenerCount()).toBe(2)
    view.unmount()
    for (const s of sessions) s.dispose()
    expect(t.listenerCount()).toBe(0)
  })
})
