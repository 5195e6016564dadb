import { isKeywayError, KeywayError } from '@keyway/core'
import { readBounded } from './bounded-body.js'
import { challengeNonces } from './challenge-nonce.js'
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
  /**
   * The key challenge nonces are signed with (at least 32 bytes; a string is read as UTF-8).
   * Every server that shares the store must share it; by default the store's own
   * (`postgresLinkStore` keeps one in `keyway_secrets`, so a fleet agrees without setup).
   */
  challengeSecret?: string | Uint8Array
  /** Largest `POST …/link` body read, bytes; past it the read stops and the answer is 413. Default 64 KiB. */
  maxBodyBytes?: number
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
  /**
   * A single-use nonce for the next link proof, valid `nonceTtlMs`. Signed, not stored:
   * handing one out writes nothing (see `challengeSecret`).
   */
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

const MAX_BODY_BYTES = 64 * 1024
const SWEEP_EVERY_MS = 60_000

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })
}

async function readBody(
  input: Request | LinkBody,
  maxBytes: number,
): Promise<{ providerToken: string; proof: string }> {
  let body: LinkBody | undefined = input instanceof Request ? undefined : input
  if (input instanceof Request) {
    const read = await readBounded(input.body, maxBytes, input.headers.get('content-length'))
    if (!read.ok && read.reason === 'too_large')
      throw new LinkError('body_too_large', `The body is larger than ${maxBytes} bytes`)
    try {
      if (read.ok) body = JSON.parse(new TextDecoder().decode(read.bytes)) as LinkBody
    } catch {
      body = undefined
    }
  }
  const { providerToken, proof } = body ?? {}
  if (typeof providerToken !== 'string' || typeof proof !== 'string')
    throw new LinkError('bad_request', 'Send { providerToken, proof }')
  return { providerToken, proof }
}

function secretBytes(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
  if (bytes.byteLength < 32)
    throw new KeywayError('ERR_CONFIG', 'challengeSecret must be at least 32 bytes', {
      transient: false,
    })
  return bytes
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
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
  const { store } = options
  const fixed =
    options.challengeSecret === undefined ? undefined : secretBytes(options.challengeSecret)
  const nonces = challengeNonces(
    async () =>
      fixed ?? (await store.challengeKey?.()) ?? crypto.getRandomValues(new Uint8Array(32)),
  )
  let lastSweep = Number.NEGATIVE_INFINITY

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
    const { providerToken, proof } = await readBody(input, maxBodyBytes)
    const at = now()
    // The proof and the nonce first: they need no network, so junk never reaches the
    // provider's JWKS, and nothing is written before both verified.
    const proven = await verifyLinkProof(proof, providerToken, {
      audience: options.linkAudience,
      now: at,
      clockTolerance,
    })
    const nonce = await nonces.check(proven.nonce, at)
    if (!nonce.ok)
      throw new LinkError(nonce.reason, `The challenge nonce is ${nonce.reason.slice(6)}`)
    const userId = await providerUser(providerToken)
    if (at - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = at
      // Housekeeping: a failed sweep is tried again a minute later, and this link needs none.
      await store.sweep(at).catch(() => undefined)
    }
    // Remember the jti past the proof's last accepted second, whatever the tolerance.
    if (!(await store.consumeJti(proven.jti, (proven.exp + clockTolerance) * 1000 + 60_000)))
      throw new LinkError('replayed', 'This link proof was used before')
    if (!(await store.consumeNonce(proven.nonce, nonce.expiresAt + 60_000)))
      throw new LinkError('nonce_unknown', 'The challenge nonce was used before')

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
      const expiresAt = now() + ttl
      return { nonce: await nonces.issue(expiresAt), expiresAt }
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
