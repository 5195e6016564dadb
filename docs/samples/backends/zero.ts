import { createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { zeroAuth } from '@keyway/zero'
import { createSchema, string, table, Zero } from '@rocicorp/zero'

const schema = createSchema({
  tables: [table('note').columns({ id: string(), body: string() }).primaryKey('id')],
})

// Any connector works; zero-cache (or your query and mutate endpoints) verifies the token.
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

export async function openZero(): Promise<Zero<typeof schema>> {
  const token = await session.getToken()
  const zero = new Zero({
    cacheURL: 'https://zero.example.com',
    schema,
    userID: session.getSnapshot().userId!,
    auth: token,
  })
  // Every new token reaches the live connection; needs-auth resumes on its own.
  zeroAuth(zero, session)
  return zero
}
