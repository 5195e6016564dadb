// The same app in TypeScript, compiled by tsc with `module: node16` in a CommonJS package
// (TS1479 if the types were ESM only), then run by Node.
import { createSession, isKeywayError, type SessionSnapshot } from '@keyway/core'
import { httpConnector } from '@keyway/http'

declare const process: { env: Record<string, string | undefined>; exit(code: number): never }

const session = createSession({ connector: httpConnector({ url: process.env.TOKEN_URL! }) })
session.subscribe(() => {
  const snapshot: SessionSnapshot = session.getSnapshot()
  if (snapshot.status === 'authenticated') {
    console.log(`ts-cjs: authenticated as ${snapshot.userId}`)
    session.dispose()
  } else if (snapshot.status === 'error' && isKeywayError(snapshot.lastError)) {
    console.error(`ts-cjs: ${snapshot.lastError.code}`)
    process.exit(1)
  }
})
