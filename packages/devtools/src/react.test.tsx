// @vitest-environment happy-dom
import { createSession } from '@keyway/core'
import { createFakeConnector } from '@keyway/core/testing'
import { render } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { HOST_ATTRIBUTE } from './panel/mount.js'
import { KeywayDevtools } from './react.js'

describe('<KeywayDevtools>', () => {
  it('mounts the panel (floating or embedded) and removes it on unmount', async () => {
    const session = createSession({ connector: await createFakeConnector() })
    await session.getToken()
    const sessions = [{ session }]
    const floating = render(<KeywayDevtools sessions={sessions} />)
    expect(document.body.querySelectorAll(`[${HOST_ATTRIBUTE}]`).length).toBe(1)
    floating.unmount()
    expect(document.body.querySelectorAll(`[${HOST_ATTRIBUTE}]`).length).toBe(0)

    const embedded = render(<KeywayDevtools sessions={sessions} embedded />)
    const host = embedded.container.querySelector(`[${HOST_ATTRIBUTE}]`)
    expect(host?.shadowRoot?.querySelector('.panel')?.classList.contains('floating')).toBe(false)
    embedded.unmount()
    session.dispose()
  })
})
