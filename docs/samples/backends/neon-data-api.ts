import { authFetch, createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'

// Any connector works: the Data API only needs a JWT it can verify against the JWKS URL
// configured in the Neon console (and the JWT Audience, when the provider sets `aud`).
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })
const dataApi = authFetch(session)

const DATA_API = 'https://ep-example-123456.apirest.c-2.us-east-2.aws.neon.tech/neondb/rest/v1'

/** Rows come back filtered by row-level security on `auth.user_id()` (the token's `sub`). */
export async function listTodos(): Promise<Array<{ id: number; task: string }>> {
  const res = await dataApi(`${DATA_API}/todos?select=id,task&order=id`)
  if (!res.ok) throw new Error(`Data API answered ${res.status}`)
  return (await res.json()) as Array<{ id: number; task: string }>
}

export async function addTodo(task: string): Promise<void> {
  // A 401 here (an expired or revoked token) is retried once with a fresh token, body included.
  const res = await dataApi(`${DATA_API}/todos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'return=minimal' },
    body: JSON.stringify({ task }),
  })
  if (!res.ok) throw new Error(`Data API answered ${res.status}`)
}
