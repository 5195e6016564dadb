import type { LinkStore } from './stores/link-store.js'

/**
 * The test functions the conformance suite registers its cases with: vitest's, jest's or
 * `node:test`'s `describe` and `it` fit as they are. Passed in, so importing this module
 * never loads a test runner.
 */
export interface SuiteApi {
  describe(name: string, body: () => void): unknown
  it(name: string, body: () => Promise<void>): unknown
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`LinkStore conformance: ${message}`)
}

function same(actual: unknown, expected: unknown, message: string): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)]
  check(a === e, `${message}: expected ${e}, got ${a}`)
}

/**
 * What every `LinkStore` must do, as test cases, for a store over any database (Redis,
 * DynamoDB, …) to prove itself. `open` gives two handles on the same backing state, as two
 * API servers have, so every consume is shown atomic across servers; it may return the same
 * data on every call (ids are unique per case).
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest'
 * import { runLinkStoreConformance } from '@keyway/server/testing'
 *
 * runLinkStoreConformance({ describe, it }, 'redis', async () => ({ a: redisStore(), b: redisStore() }))
 * ```
 */
export function runLinkStoreConformance(
  { describe, it }: SuiteApi,
  name: string,
  open: () => Promise<{ a: LinkStore; b: LinkStore }>,
): void {
  describe(`LinkStore conformance: ${name}`, () => {
    const T = Date.UTC(2026, 5, 1)
    let n = 0
    const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2)}`
    const once = async (
      consume: (a: LinkStore, b: LinkStore, id: string) => Promise<boolean>[],
    ) => {
      const { a, b } = await open()
      const results = await Promise.all(consume(a, b, unique('id')))
      same(results.filter(Boolean).length, 1, 'accepted exactly once')
    }

    it('a nonce is consumed once, then refused on every server', async () => {
      const { a, b } = await open()
      const nonce = unique('n')
      check(await a.consumeNonce(nonce, T + 60_000), 'first use accepted')
      check(!(await b.consumeNonce(nonce, T + 60_000)), 'second use, other server, refused')
      check(!(await a.consumeNonce(nonce, T + 60_000)), 'third use refused')
    })

    it('a nonce raced by ten consumers on two servers is accepted exactly once', () =>
      once((a, b, id) =>
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consumeNonce(id, T + 60_000)),
      ))

    it('a jti raced by ten consumers on two servers is accepted exactly once', () =>
      once((a, b, id) =>
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consumeJti(id, T + 60_000)),
      ))

    it('nonces and jtis are separate: one id may be used once as each', async () => {
      const { a, b } = await open()
      const id = unique('x')
      check(await a.consumeNonce(id, T + 60_000), 'as nonce')
      check(await b.consumeJti(id, T + 60_000), 'as jti')
    })

    it('the first link of a guest wins a race; later puts get the winner back', async () => {
      const { a, b } = await open()
      const guest = unique('anon')
      const [x, y] = await Promise.all([
        a.putLink({ anonymousId: guest, userId: 'user_a', outcome: 'promoted', linkedAt: T }),
        b.putLink({
          anonymousId: guest,
          userId: 'user_b',
          outcome: 'linked_existing',
          linkedAt: T + 1,
        }),
      ])
      same(x, y, 'both racers get the same record')
      same(await b.getLink(guest), x, 'the other server reads the winner')
      const later = await a.putLink({
        anonymousId: guest,
        userId: 'user_c',
        outcome: 'promoted',
        linkedAt: T + 2,
      })
      same(later, x, 'a later put gets the winner')
      same(await a.getLink(unique('anon')), undefined, 'an unknown guest has no link')
    })

    it('aliases of an account, oldest first, seen from the other server', async () => {
      const { a, b } = await open()
      const user = unique('user')
      const [g1, g2] = [unique('anon'), unique('anon')]
      await a.putLink({
        anonymousId: g2,
        userId: user,
        outcome: 'linked_existing',
        linkedAt: T + 5,
      })
      await b.putLink({ anonymousId: g1, userId: user, outcome: 'promoted', linkedAt: T })
      same(await a.aliasesOf(user), [g1, g2], 'aliases')
      same(await b.aliasesOf(unique('user')), [], 'no aliases')
    })

    it('known users are shared and marking twice is harmless', async () => {
      const { a, b } = await open()
      const user = unique('user')
      check(!(await b.isKnownUser(user)), 'unknown at first')
      await a.markKnownUser(user)
      await b.markKnownUser(user)
      check(await b.isKnownUser(user), 'known on the other server')
    })

    it('sweep deletes expired nonces and jtis only, and counts them', async () => {
      const { a, b } = await open()
      const [gone, kept, oldJti, newJti] = [unique('n'), unique('n'), unique('j'), unique('j')]
      await a.consumeNonce(gone, T - 1)
      await a.consumeNonce(kept, T + 60_000)
      await a.consumeJti(oldJti, T - 1)
      await a.consumeJti(newJti, T + 60_000)
      const removed = await b.sweep(T)
      check(removed >= 2, `sweep counted ${removed}, expected at least the 2 expired rows`)
      check(await a.consumeNonce(gone, T + 60_000), 'the expired nonce was forgotten')
      check(!(await a.consumeNonce(kept, T + 60_000)), 'the live nonce is still used')
      check(await b.consumeJti(oldJti, T + 60_000), 'the expired jti was forgotten')
      check(!(await b.consumeJti(newJti, T + 60_000)), 'the live jti is still used')
      same(await b.sweep(T - 10), 0, 'nothing older than that is left')
    })

    it('the challenge key, when the store keeps one, is the same for every server', async () => {
      const { a, b } = await open()
      if (!a.challengeKey) return
      const [x, y] = await Promise.all([a.challengeKey(), b.challengeKey!()])
      check(x.byteLength >= 32, 'at least 32 bytes')
      same(Array.from(x), Array.from(y), 'one key')
    })
  })
}
