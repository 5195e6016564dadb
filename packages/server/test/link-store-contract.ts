import { describe, expect, it } from 'vitest'
import type { LinkStore } from '../src/stores/link-store.js'

/**
 * What every LinkStore must do, run against each store: two handles on the same backing
 * state (`a`, `b`: two API servers) so every consume is shown atomic across servers.
 */
export function runLinkStoreContract(
  name: string,
  open: () => Promise<{ a: LinkStore; b: LinkStore }>,
) {
  describe(`LinkStore contract: ${name}`, () => {
    const T = Date.UTC(2026, 5, 1)
    let n = 0
    const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2)}`

    it('a nonce is ok once, then unknown; an expired one says expired once', async () => {
      const { a, b } = await open()
      const nonce = unique('n')
      await a.createNonce(nonce, T + 60_000)
      expect(await b.consumeNonce(nonce, T)).toBe('ok')
      expect(await a.consumeNonce(nonce, T)).toBe('unknown')
      const old = unique('n')
      await a.createNonce(old, T - 1)
      expect(await b.consumeNonce(old, T)).toBe('expired')
      expect(await b.consumeNonce(old, T)).toBe('unknown')
      expect(await a.consumeNonce(unique('never'), T)).toBe('unknown')
    })

    it('a nonce raced by ten consumers on two servers is ok exactly once', async () => {
      const { a, b } = await open()
      const nonce = unique('n')
      await a.createNonce(nonce, T + 60_000)
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consumeNonce(nonce, T)),
      )
      expect(results.filter((r) => r === 'ok')).toHaveLength(1)
    })

    it('a jti is accepted once, whatever the race', async () => {
      const { a, b } = await open()
      const jti = unique('j')
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consumeJti(jti, T + 60_000)),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(await a.consumeJti(jti, T + 60_000)).toBe(false)
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
      expect(x).toEqual(y)
      expect(await b.getLink(guest)).toEqual(x)
      const later = await a.putLink({
        anonymousId: guest,
        userId: 'user_c',
        outcome: 'promoted',
        linkedAt: T + 2,
      })
      expect(later).toEqual(x)
      expect(await a.getLink(unique('anon'))).toBeUndefined()
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
      expect(await a.aliasesOf(user)).toEqual([g1, g2])
      expect(await b.aliasesOf(unique('user'))).toEqual([])
    })

    it('known users are shared and marking twice is harmless', async () => {
      const { a, b } = await open()
      const user = unique('user')
      expect(await b.isKnownUser(user)).toBe(false)
      await a.markKnownUser(user)
      await b.markKnownUser(user)
      expect(await b.isKnownUser(user)).toBe(true)
    })

    it('purging forgets expired nonces and proof ids only', async () => {
      const { a, b } = await open()
      const [gone, kept, oldJti, newJti] = [unique('n'), unique('n'), unique('j'), unique('j')]
      await a.createNonce(gone, T - 1)
      await a.createNonce(kept, T + 60_000)
      await a.consumeJti(oldJti, T - 1)
      await a.consumeJti(newJti, T + 60_000)
      await b.purgeExpired!(T)
      expect(await a.consumeNonce(gone, T)).toBe('unknown')
      expect(await a.consumeNonce(kept, T)).toBe('ok')
      expect(await b.consumeJti(oldJti, T + 60_000)).toBe(true)
      expect(await b.consumeJti(newJti, T + 60_000)).toBe(false)
    })
  })
}
