import { betterAuth } from 'better-auth'
import { memoryAdapter } from 'better-auth/adapters/memory'
import { jwt } from 'better-auth/plugins'

export interface DemoAuthOptions {
  /** Public origin of the demo, e.g. `http://127.0.0.1:5173`. Also the JWT issuer. */
  baseURL: string
  /** JWT lifetime in seconds: short, so refreshes are visible. */
  tokenLifetimeSec: number
}

/**
 * The demo's identity provider: Better Auth in-process with email + password and the jwt
 * plugin (ES256, JWKS at /api/auth/jwks), as in the Jazz recipe. In-memory: a restart
 * forgets every account.
 */
export function createDemoAuth({ baseURL, tokenLifetimeSec }: DemoAuthOptions) {
  const db: Record<string, Record<string, unknown>[]> = {
    user: [],
    session: [],
    account: [],
    verification: [],
    jwks: [],
  }
  return betterAuth({
    baseURL,
    basePath: '/api/auth',
    secret: 'keyway-demo-secret-not-for-production-0123456789',
    trustedOrigins: [baseURL],
    database: memoryAdapter(db),
    emailAndPassword: { enabled: true, requireEmailVerification: false, minPasswordLength: 8 },
    plugins: [
      jwt({
        jwks: { keyPairConfig: { alg: 'ES256' } },
        jwt: { issuer: baseURL, audience: 'keyway-demo', expirationTime: `${tokenLifetimeSec}s` },
      }),
    ],
  })
}

export type DemoAuth = ReturnType<typeof createDemoAuth>
