import { betterAuth, createVerifier, firebase, VerificationError } from '@keyway/server'

/** Your database: anything with a parameterised query (pg, postgres.js, PGlite). */
declare const db: {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
}

// One verifier for every provider the app accepts, and keyway guests for the same API.
// Firebase users keep their bare uid as userId; Better Auth users become `ba:<id>`.
const verifier = createVerifier({
  providers: [
    firebase({ projectId: 'my-app' }),
    betterAuth({ baseURL: 'https://app.example.com', audience: 'my-api', namespace: 'ba' }),
  ],
  anonymous: { audience: 'my-api' },
})

/** A Fetch API handler: Hono (`c.req.raw`), Next.js route handlers, Deno, Bun, workers. */
export async function notes(request: Request): Promise<Response> {
  let userId: string
  try {
    ;({ userId } = await verifier.verifyRequest(request))
  } catch (error) {
    // 401 makes keyway clients refresh the token and retry once; 503 means "try later".
    if (error instanceof VerificationError)
      return Response.json({ error: error.reason }, { status: error.transient ? 503 : 401 })
    throw error
  }
  const { rows } = await db.query('select id, body from notes where owner = $1', [userId])
  return Response.json(rows)
}
