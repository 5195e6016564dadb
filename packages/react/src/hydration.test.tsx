// @vitest-environment happy-dom
import { createSession } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { act } from '../test/render.js'
import { KeywayProvider, useAuthState, useToken } from './index.js'

const renders: string[] = []

function Status() {
  const { status, userId } = useAuthState()
  const token = useToken()
  const line = `${status}|${userId ?? 'nobody'}|${token ? 'token' : 'no-token'}`
  renders.push(line)
  return <p>{line}</p>
}

describe('a server-rendered app with initialCredentials (renderToString, then hydrateRoot)', () => {
  it('renders authenticated on the server and in the first client render, with no hydration warning and no connector call', async () => {
    const t = createTestPlatform({ startWall: Date.now() })
    const connector = await createFakeConnector({
      lifetimeSec: 600,
      now: t.clock.wallNow,
      track: t.track,
    })
    // The server already holds the user's token (from its own session cookie).
    const initialCredentials = {
      token: await connector.minter.mint({ sub: 'user_ada', lifetimeSec: 600 }),
    }
    const html = renderToString(
      <KeywayProvider session={null} initialCredentials={initialCredentials}>
        <Status />
      </KeywayProvider>,
    )
    expect(html).toContain('authenticated|user_ada|token')

    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const container = document.createElement('div')
    container.innerHTML = html
    renders.length = 0
    const session = createSession({ connector, platform: t.platform, initialCredentials })
    await act(async () => {
      hydrateRoot(
        container,
        <KeywayProvider session={session} initialCredentials={initialCredentials}>
          <Status />
        </KeywayProvider>,
      )
    })
    await act(() => t.clock.advance(0))
    expect(renders[0]).toBe('authenticated|user_ada|token')
    expect(renders.every((line) => line === 'authenticated|user_ada|token')).toBe(true)
    expect(container.textContent).toBe('authenticated|user_ada|token')
    expect(errors).not.toHaveBeenCalled()
    errors.mockRestore()
    // Nothing is fetched before the token's refresh point (600 s token: lead 2.5 min + jitter).
    await act(() => t.clock.advance(6 * 60_000))
    expect(connector.callCount).toBe(0)
    await act(() => t.clock.advance(4 * 60_000))
    expect(connector.callCount).toBe(1)
    expect(connector.calls[0]!.reason).toBe('proactive')
    session.dispose()
  })
})
