// An ESM Node app over the published @keyway/http: reaches `authenticated` against the token
// endpoint in TOKEN_URL, prints the user once, exits.
import { createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'

const session = createSession({ connector: httpConnector({ url: process.env.TOKEN_URL }) })
session.subscribe(() => {
  const { status, userId, lastError } = session.getSnapshot()
  if (status === 'authenticated') {
    console.log(`esm: authenticated as ${userId}`)
    session.dispose()
  } else if (status === 'error') {
    console.error(`esm: ${lastError?.code}`)
    process.exit(1)
  }
})
