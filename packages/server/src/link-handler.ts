import { isKeywayError } from '@keyway/core'
import { LinkError } from './link-error.js'
import { verifyLinkProof } from './link-proof.js'
import type { LinkOutcome, LinkStore } from './stores/link-store.js'
import type { Verifier } from './verifier.js'

/** What a link did: the guest `anonymousId` now belongs to the account `userId`. */
export interface LinkEvent {
  anonymousId: string
  userId: string
  outcome: LinkOutcome
}

/** The body of `POST …/link`. */
export interface LinkBody {
  /** The provider JWT the guest just signed in with. */
  providerToken: unknown
  /** The link proof signed by the guest's device key (`pth` binds it to `providerToken`). */
  proof: unknown
}

export interface LinkHandlerOptions {
  /** Verifies the provider token (anonymous tokens are refused as provider tokens). */
  verifier: Verifier
  store: LinkStore
  /** The `aud` link proofs must carry: the public absolute URL of `POST …/link`. */
  linkAudience: string
  /** Challenge nonce lifetime. Default 2 min. */
  nonceTtlMs?: number
  /** Seconds of clock difference tolerated on the proof's `exp`. Default 5. */
  clockTolerance?: number
  /** Epoch ms. Default `Date.now`. */
  now?: () => number
  /**
   * Whether the account already has data; decides `linked_existing` over `promoted`, along
   * with the store's known users (accounts linked before, or marked with `markKnownUser`).
   */
  accountExists?: (userId: string) => Promise<boolean>
  /**
   * The app's merge hook: make the guest's rows the account's (add an alias for row-level
   * security, or move rows). Runs after the link is stored, and again when the same pair is
   * linked again (a client retrying after a lost answer), so make it idempotent. If it
   * throws, the request fails and the client's retry runs it again.
   */
  onLink?: (event: LinkEvent) => Promise<void>
}

export interface LinkHandler {
  /** A single-use nonce for the next link proof, valid `nonceTtlMs`. */
  challenge(): Promise<{ nonce: string; expiresAt: number }>
  /**
   * Links the guest named by the proof to the account behind the provider token. Takes the
   * `POST` request or its parsed body; resolves with the outcome or rejects with a
   * `LinkError` (`reason`, `status`).
   */
  link(input: Request | LinkBody): Promise<LinkEvent>
  /** Whether an anonymous id was linked (its device key then no longer signs in alone). */
  isLinked(anonymousId: string): Promise<boolean>
  /**
   * Fetch API handler: `POST …/challenge` and `POST …/link`, JSON in and out, refusals as
   * `{ error: reason }` with the reason's status. Mount it under any path (Hono, Next.js,
   * workers; Express and node:http through `toNodeHandler`).
   */
  handle(request: Request): Promise<Response>
}

const MAX_BODY_CHARS = 64 * 1024
const PURGE_EVERY_MS = 60_000

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })
}

function randomNonce(): string {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

async function readBody(
  input: Request | LinkBody,
): Promise<{ providerToken: string; proof: string }> {
  let body: LinkBody | undefined = input instanceof Request ? undefined : input
  if (input instanceof Request) {
    const text = await input.text().catch(() => '')
    if (text.length <= MAX_BODY_CHARS)
      try {
        body = JSON.parse(text) as LinkBody
      } catch {
        body = undefined
      }
  }
  const { providerToken, proof } = body ?? {}
  if (typeof providerToken !== 'string' || typeof proof !== 'string')
    throw new LinkError('bad_request', 'Send { providerToken, proof }')
  return { providerToken, proof }
}

/**
 * The server half of upgrading a guest to an account. `challenge()` hands out single-use
 * nonces; `link()` checks the proof (signed by the guest's device key, for this endpoint,
 * bound to the provider token by `pth`), the provider token, then consumes the proof's
 * `jti` and the nonce, and answers `promoted` when the account is new or `linked_existing`
 * when it already existed (the guest becomes its alias: nothing is stranded). The same
 * pair linked again answers the same; a guest linked to someone else gets 409.
 *
 * @example
 * ```ts
 * const links = createLinkHandler({
 *   verifier,
 *   store: postgresLinkStore(query),
 *   linkAudience: 'https://api.example.com/link/link',
 *   onLink: ({ anonymousId, userId }) => db.addAlias(anonymousId, userId),
 * })
 * app.post('/link/*', (c) => links.handle(c.req.raw)) // Hono
 * ```
 */
export function createLinkHandler(options: LinkHandlerOptions): LinkHandler {
  const now = options.now ?? (() => Date.now())
  const ttl = options.nonceTtlMs ?? 120_000
  const clockTolerance = options.clockTolerance ?? 5
  const { store } = options
  let lastPurge = Number.NEGATIVE_INFINITY

  async function providerUser(providerToken: string): Promise<string> {
    try {
      const verified = await options.verifier.verify(providerToken)
      if (!verified.anonymous) return verified.userId
    } catch (cause) {
      if (isKeywayError(cause) && cause.transient)
        throw new LinkError('provider_unavailable', "The provider's keys are unreachable", cause)
      throw new LinkError('provider_token_invalid', 'The provider token does not verify', cause)
    }
    throw new LinkError('anonymous_provider_token', 'Link to a provider account, not to a guest')
  }

  async function link(input: Request | LinkBody): Promise<LinkEvent> {
    const { providerToken, proof } = await readBody(input)
    const at = now()
    // The proof first: it needs no network, so junk never reaches the provider's JWKS.
    const proven = await verifyLinkProof(proof, providerToken, {
      audience: options.linkAudience,
      now: at,
      clockTolerance,
    })
    const userId = await providerUser(providerToken)
    // Remember the jti past the proof's last accepted second, whatever the tolerance.
    if (!(await store.consumeJti(proven.jti, (proven.exp + clockTolerance) * 1000 + 60_000)))
      throw new LinkError('replayed', 'This link proof was used before')
    const nonce = await store.consumeNonce(proven.nonce, at)
    if (nonce !== 'ok')
      throw new LinkError(
        nonce === 'expired' ? 'nonce_expired' : 'nonce_unknown',
        `The challenge nonce is ${nonce}`,
      )

    let record = await store.getLink(proven.anonymousId)
    if (!record) {
      const known = (await options.accountExists?.(userId)) || (await store.isKnownUser(userId))
      // putLink keeps the first link of a guest, so two racing links agree on one account.
      record = await store.putLink({
        anonymousId: proven.anonymousId,
        userId,
        outcome: known ? 'linked_existing' : 'promoted',
        linkedAt: at,
      })
      await store.markKnownUser(record.userId)
    }
    if (record.userId !== userId)
      throw new LinkError('already_linked', 'This guest is linked to another account')
    const event: LinkEvent = { anonymousId: record.anonymousId, userId, outcome: record.outcome }
    await options.onLink?.(event)
    return event
  }

  const handler: LinkHandler = {
    async challenge() {
      const at = now()
      if (at - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = at
        await store.purgeExpired?.(at)
      }
      const nonce = randomNonce()
      const expiresAt = at + ttl
      await store.createNonce(nonce, expiresAt)
      return { nonce, expiresAt }
    },
    link,
    isLinked: async (anonymousId) => (await store.getLink(anonymousId)) !== undefined,
    async handle(request) {
      const path = new URL(request.url).pathname.replace(/\/+$/, '')
      const route = path.endsWith('/challenge') ? 'challenge' : path.endsWith('/link') ? 'link' : ''
      if (!route) return json(404, { error: 'not_found' })
      if (request.method !== 'POST') return json(405, { error: 'method_not_allowed' })
      if (route === 'challenge') return json(200, await handler.challenge())
      try {
        return json(200, await link(request))
      } catch (error) {
        if (error instanceof LinkError) return json(error.status, { error: error.reason })
        throw error
      }
    },
  }
  return handler
}
