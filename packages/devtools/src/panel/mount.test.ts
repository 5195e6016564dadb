// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { fakeSession } from '../../test/fake-session.js'
import { keywayDevtoolsPlugin } from '../tanstack-plugin.js'
import { HOST_ATTRIBUTE, mountKeywayDevtools } from './mount.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

async function setup() {
  const made = await fakeSession({ startWall: Date.now() })
  cleanups.push(() => made.session.dispose())
  return made
}

const shadow = () => document.querySelector(`[${HOST_ATTRIBUTE}]`)?.shadowRoot
const rendered = () => new Promise((r) => setTimeout(r, 20))

describe('mountKeywayDevtools', () => {
  it('shows the decoded header and claims, never the token or its signature', async () => {
    const { session, debug, token } = await setup()
    cleanups.push(
      mountKeywayDevtools({ sessions: [{ session, controls: debug }], initialOpen: true }),
    )
    await rendered()
    const html = shadow()!.innerHTML
    expect(html).toContain('"sub": "user_1"')
    expect(html).toContain('"alg": "ES256"')
    expect(html).toContain('authenticated')
    const [head, body, signature] = token.split('.')
    for (const secret of [token, signature!, `${head}.${body}`]) {
      expect(html).not.toContain(secret)
      expect(document.documentElement.outerHTML).not.toContain(secret)
    }
  })

  it("marks the refresh on the countdown where the session set it (its 'scheduled' event)", async () => {
    const { session, debug, events } = await setup()
    const pointShown = () =>
      shadow()!.querySelector<HTMLElement>('[data-part="refresh-at"]')?.dataset.at
    const lastScheduled = () =>
      String(Math.round(events.filter((e) => e.type === 'scheduled').at(-1)!.refreshAt))
    cleanups.push(
      mountKeywayDevtools({ sessions: [{ session, controls: debug }], initialOpen: true }),
    )
    await rendered()
    // Mounted after the first token's point was set: the session tells the panel at once.
    expect(pointShown()).toBe(lastScheduled())
    expect(shadow()!.querySelector('.life .zone')).toBeNull()
    // A consumer that needs 25 s moves the refresh: the panel shows the new point.
    const first = pointShown()
    await session.getToken({ minValidityMs: 25_000 })
    await rendered()
    expect(pointShown()).toBe(lastScheduled())
    expect(pointShown()).not.toBe(first)
    expect(shadow()!.querySelector('.life .zone')).toBeNull()
    expect(shadow()!.querySelector('[data-part="left"]')!.textContent).toMatch(
      /refresh in [\d.]+ s/,
    )
  })

  it('its buttons act through the session: simulate 401, expire now, offline, refresh, sign out', async () => {
    const { t, connector, session, debug } = await setup()
    cleanups.push(
      mountKeywayDevtools({ sessions: [{ session, controls: debug }], initialOpen: true }),
    )
    await rendered()
    const click = async (action: string) => {
      ;(shadow()!.querySelector(`[data-action=${action}]`) as HTMLButtonElement).click()
      await t.flush()
      await rendered()
    }
    await click('reject')
    expect(connector.calls.at(-1)?.reason).toBe('rejected')
    await t.clock.advance(2_000) // past the minimum gap since the first call (1 s)
    await click('expire')
    expect(connector.calls.at(-1)?.reason).toBe('wake')
    await click('offline')
    expect(debug.offline).toBe(true)
    expect(shadow()!.querySelector('[data-action=offline]')!.textContent).toBe('Go online')
    await click('offline')
    expect(debug.offline).toBe(false)
    await click('refresh')
    expect(connector.calls.at(-1)?.reason).toBe('manual')
    await click('signOut')
    expect(session.getSnapshot().status).toBe('signedOut')

    const strip = shadow()!.querySelector('.strip[data-this-tab]')!
    const reasons = [...strip.querySelectorAll('[data-kind=fetch]')].map(
      (e) => (e as HTMLElement).dataset.reason,
    )
    // Every connector call since the panel opened is a tick, the buttons' three first.
    expect(reasons.slice(0, 3)).toEqual(['rejected', 'wake', 'manual'])
    expect(reasons).toEqual(connector.calls.slice(1).map((c) => c.reason))
    expect(strip.querySelectorAll('[data-kind=rejection]').length).toBe(1)
    expect(strip.querySelectorAll('[data-kind=offline]').length).toBe(1)
    // The sign-out (and, with engines that ask the provider again, its `null`).
    expect(strip.querySelectorAll('[data-kind=signedOut]').length).toBeGreaterThanOrEqual(1)
  })

  it('without controls, "expire now" and "offline" are disabled; unmount removes the panel', async () => {
    const { session } = await setup()
    const unmount = mountKeywayDevtools({ sessions: [{ session }], initialOpen: true })
    await rendered()
    const button = (a: string) => shadow()!.querySelector(`[data-action=${a}]`) as HTMLButtonElement
    expect(button('expire').disabled).toBe(true)
    expect(button('offline').disabled).toBe(true)
    expect(button('refresh').disabled).toBe(false)
    unmount()
    expect(shadow()).toBeUndefined()
  })

  it('as a TanStack Devtools plugin it draws inside the pane it is given, and goes with destroy', async () => {
    const { session } = await setup()
    const plugin = keywayDevtoolsPlugin({ sessions: [{ session }] })
    const pane = document.createElement('div')
    document.body.append(pane)
    plugin.render(pane)
    await rendered()
    expect(pane.querySelector(`[${HOST_ATTRIBUTE}]`)?.shadowRoot?.innerHTML).toContain('user_1')
    plugin.destroy('keyway')
    expect(pane.children.length).toBe(0)
    pane.remove()
  })
})
