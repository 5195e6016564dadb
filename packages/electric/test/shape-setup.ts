import { isChangeMessage, ShapeStream } from '@electric-sql/client'
import { createSession, type KeywayError, type RefreshPolicy } from '@keyway/core'
import { createFakeConnector, createTokenMinter } from '@keyway/core/testing'
import { electricAuth } from '../src/index.js'
import { startShapeDouble } from './shape-double.js'

/**
 * A session over a fake connector minting real JWTs, the /v1/shape double verifying them, and
 * the real ShapeStream with electricAuth between the two, collecting what it delivers.
 */
export async function shapeSetup(options: {
  lifetimeSec: number
  liveTimeoutMs?: number
  policy?: Partial<RefreshPolicy>
  /** The provider is down from the first call on. */
  down?: boolean
}) {
  const minter = await createTokenMinter()
  const connector = await createFakeConnector({ minter, lifetimeSec: options.lifetimeSec })
  if (options.down) connector.failAlways(new Error('503 Service Unavailable'))
  const session = createSession({ connector, ...options.policy })
  const shape = await startShapeDouble({
    jwks: minter.jwks,
    issuer: minter.issuer,
    liveTimeoutMs: options.liveTimeoutMs,
  })
  const errors: KeywayError[] = []
  const abort = new AbortController()
  const stream = new ShapeStream({
    url: shape.url,
    params: { table: 'items' },
    signal: abort.signal,
    ...electricAuth(session, { onError: (error) => void errors.push(error) }),
  })
  /** Every insert the stream delivered, by key, in order: a key twice is a duplicate row. */
  const inserts: string[] = []
  const unsubscribe = stream.subscribe((messages) => {
    for (const m of messages) if (isChangeMessage(m)) inserts.push(m.key)
  })
  async function stop() {
    unsubscribe()
    abort.abort()
    await shape.stop()
    session.dispose()
  }
  return { connector, session, shape, stream, inserts, errors, stop }
}
