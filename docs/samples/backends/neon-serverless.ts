import { createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { neonAuth } from '@keyway/neon'

// Any connector works; Neon verifies the token against the JWKS set in its console.
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

// The connection string of the `authenticated` role (Neon console → Data API / RLS).
const sql = neonAuth(
  'postgresql://authenticated@ep-example-123456.us-east-2.aws.neon.tech/neondb',
  session,
)

export async function myTodos() {
  // Row-level security reads the verified token: `user_id = auth.user_id()`.
  return sql`select id, task from todos where user_id = auth.user_id()`
}

export async function addTodo(task: string) {
  return sql.transaction([
    sql`insert into todos (task) values (${task})`,
    sql`select count(*)::int as open from todos where user_id = auth.user_id()`,
  ])
}
