import { createSession } from '@keyway/core'
import { createFakeConnector, createTestPlatform } from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'
import { convexFetchToken } from './convex-fetch-token.js'

// convexFetchToken on the fake clock, without a Convex client: what a call under way at
// session.dispose() settles with. (The real ConvexClient runs in test/convex-client.test.ts.)

async function setup() {
  const t = createTestPlatform()
  const connector = await createFakeConnector({
    lifetimeSec: 300,
    now: t.clock.wallNow,
    track: t.track,
  })
  const session = createSession({ connector, platform: t.platform })
  const fetchToken = convexFetchToken(session)
  const first = await fetchToken({ forceRefreshToken: false })
  await t.clock.advance(2_000) // past the session's minimum gap between calls
  return { t, connector, session, fetchToken, first }
}

describe('convexFetchToken at session.dispose()', () => {
  it('a forced fetch under way (Convex refused its token) answers null, never hangs', async () => {
    const { t, connector, session, fetchToken, first } = await setup()
    expect(first).toEqual(expect.any(String))
    const release = connector.hold()
    let answer: unknown = 'pending'
    const settled = fetchToken({ forceRefreshToken: true }).then((value) => {
      answer = value
    })
    await t.flush()
    expect(answer).toBe('pending')
    session.dispose()
    release()
    await settled
    expect(answer).toBeNull()
  })
})
