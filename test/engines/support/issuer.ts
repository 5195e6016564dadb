import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Connector, FetchCredentialsOptions } from '@keyway/core'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'

export interface TestIssuerOptions {
  /** Lifetime of every token, seconds. */
  lifetimeSec: number
  /** `aud` of every token. */
  audience: string
  /** `iss`; default the issuer's own origin. */
  issuer?: string
}

/**
 * A real token issuer on 127.0.0.1 (jose): ES256 tokens with a short lifetime and a JWKS at
 * `/jwks`, which every server under test verifies against. Its connector is what a provider
 * SDK is to a session: it counts the calls, and `spoilNext()` (or `revokeNext()`) makes the next token one that
 * no server accepts (signed with a key the JWKS does not hold, same `kid`), which is how
 * the soaks inject a 401 into a real server without changing it.
 */
export async function startTestIssuer(options: TestIssuerOptions) {
  const kid = 'engines-test'
  const good = await generateKeyPair('ES256')
  const rogue = await generateKeyPair('ES256')
  const jwk: JWK = { ...(await exportJWK(good.publicKey)), kid, alg: 'ES256', use: 'sig' }
  const state = { jwksRequests: 0 }
  const server: Server = createServer((req, res) => {
    if (req.url !== '/jwks') {
      res.statusCode = 404
      return res.end()
    }
    state.jwksRequests++
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = options.issuer ?? origin
  /** Spoil the next tokens minted, whatever the call. */
  let spoil = 0
  /** Spoil the next tokens a session fetches on its own, sparing the retry after a refusal. */
  let revoke = 0
  /** Tokens that no server will accept, as minted. */
  const spoiled = new Set<string>()

  /**
   * A token for `sub`; `shiftSec` moves `iat` and `exp` (negative: already expired). `reason`
   * is the connector call's (see `revokeNext`); `lifetimeSec` overrides the issuer's.
   */
  async function mint(
    sub: string,
    claims: Record<string, unknown> = {},
    shiftSec = 0,
    {
      reason,
      lifetimeSec = options.lifetimeSec,
    }: { reason?: FetchCredentialsOptions['reason']; lifetimeSec?: number } = {},
  ): Promise<string> {
    const bad = spoil > 0 || (revoke > 0 && reason !== 'rejected')
    if (spoil > 0) spoil--
    else if (bad) revoke--
    const now = Math.floor(Date.now() / 1000) + shiftSec
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(options.audience)
      .setSubject(sub)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSec)
      .setJti(crypto.randomUUID())
      .sign(bad ? rogue.privateKey : good.privateKey)
    if (bad) spoiled.add(token)
    return token
  }

  return {
    jwksUrl: `${origin}/jwks`,
    issuer,
    audience: options.audience,
    state,
    spoiled,
    mint,
    /** The next `count` tokens minted will be refused by every server. */
    spoilNext(count = 1) {
      spoil += count
    },
    /**
     * The next `count` tokens a session fetches on its own (initial, proactive, manual) will be
     * refused; a token fetched after a refusal (`reason: 'rejected'`) is never spoiled by this.
     * This is the soaks' injected revocation: each one costs a client one refusal and one
     * retry. With `spoilNext()` a fault injected between a spoiled token and its retry, or two
     * faults pending at once, spoiled the retry too, and the adapters rightly retry only once.
     */
    revokeNext(count = 1) {
      revoke += count
    },
    /** Cancels the spoiling not yet used. */
    unspoil() {
      spoil = 0
      revoke = 0
    },
    /**
     * A connector (provider SDK) for one user: every call mints a new token, of `lifetimeSec`
     * (default: the issuer's).
     */
    connector(sub: string, claims?: Record<string, unknown>, lifetimeSec?: number) {
      const calls: Array<Omit<FetchCredentialsOptions, 'signal'>> = []
      return {
        id: `test-issuer-${sub}`.replace(/[^a-z0-9-]/gi, '-'),
        calls,
        async fetchCredentials({ forceRefresh, reason }) {
          calls.push({ forceRefresh, reason })
          return { token: await mint(sub, claims, 0, { reason, lifetimeSec }) }
        },
      } satisfies Connector & { calls: unknown[] }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export type TestIssuer = Awaited<ReturnType<typeof startTestIssuer>>
