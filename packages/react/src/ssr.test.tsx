// @vitest-environment node
import { createSession } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { KeywayProvider, useAuthState, useToken } from './index.js'

function Status() {
  const { status, userId } = useAuthState()
  const token = useToken()
  return (
    <p>
      {status}|{userId ?? 'nobody'}|{token ?? 'no-token'}
    </p>
  )
}

describe('server rendering (renderToString, no window)', () => {
  it('runs without window or document', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined')
  })

  it('with session={null}: renders the initializing state and no token', () => {
    const html = renderToString(
      <KeywayProvider session={null}>
        <Status />
      </KeywayProvider>,
    )
    expect(html).toBe('<p>initializing<!-- -->|<!-- -->nobody<!-- -->|<!-- -->no-token</p>')
  })

  it('with a live session: renders the server snapshot and calls nothing on the session', async () => {
    const t = createTestPlatform()
    const connector = await createFakeConnector({ now: t.clock.wallNow, track: t.track })
    const session = createSession({ connector, platform: t.platform })
    await t.clock.advance(0)
    expect(session.getSnapshot().status).toBe('authenticated')
    const calls = {
      getToken: vi.spyOn(session, 'getToken'),
      getCredentials: vi.spyOn(session, 'getCredentials'),
      subscribe: vi.spyOn(session, 'subscribe'),
      refresh: vi.spyOn(session, 'refresh'),
    }
    const timersBefore = t.pendingTimers()
    const html = renderToString(
      <KeywayProvider session={session}>
        <Status />
      </KeywayProvider>,
    )
    await t.clock.advance(0)
    // The server snapshot, so the client's hydration render matches it.
    expect(html).toContain('initializing')
    expect(html).toContain('no-token')
    for (const spy of Object.values(calls)) expect(spy).not.toHaveBeenCalled()
    expect(connector.callCount).toBe(1)
    expect(t.pendingTimers()).toBe(timersBefore)
    session.dispose()
  })
})
