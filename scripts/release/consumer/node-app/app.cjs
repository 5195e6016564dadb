// The same app in CommonJS: require() of the ESM packages (Node >= 20.19).
const { createSession } = require('@keyway/core')
const { httpConnector } = require('@keyway/http')

const session = createSession({ connector: httpConnector({ url: process.env.TOKEN_URL }) })
session.subscribe(() => {
  const { status, userId, lastError } = session.getSnapshot()
  if (status === 'authenticated') {
    console.log(`cjs: authenticated as ${userId}`)
    session.dispose()
  } else if (status === 'error') {
    console.error(`cjs: ${lastError?.code}`)
    process.exit(1)
  }
})
