import { createSession, type Platform, type SessionEvent } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import { devtoolsPlatform } from '../src/devtools-platform.js'

/**
 * A session on the fake clock over a fake connector (60 s tokens), on the devtools platform,
 * holding its first token. `extra` adds storage or tabs to the platform.
 */
export async function fakeSession(options: { startWall?: number; extra?: Partial<Platform> } = {}) {
  const t = createTestPlatform(
    options.startWall === undefined ? {} : { startWall: options.startWall },
  )
  const connector = await createFakeConnector({
    lifetimeSec: 60,
    now: t.clock.wallNow,
    track: t.track,
  })
  const debug = devtoolsPlatform({ ...t.platform, ...options.extra })
  const session = createSession({ connector, platform: debug.platform })
  const events: SessionEvent[] = []
  session.inspect((e) => events.push(e))
  const token = await session.getToken()
  return { t, connector, debug, session, events, token }
}
