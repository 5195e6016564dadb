import { decodeJwt } from '@keyway/core'
import type { UpgradeResult } from '@keyway/core/anonymous'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, deviceDisk, openApp } from './support/device.js'
import { type Stack, startStack } from './support/stack.js'

// End to end on loopback, real parts only: Better Auth in process (email + password, jwt
// plugin, ES256) as the provider, a data API verifying with @keyway/server over PGlite with
// row-level security on `sub` and its aliases, and the link endpoints with the Postgres store.

let stack: Stack
const opened: App[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const app of opened) app.close()
  await stack.close()
})

function open(disk = deviceDisk()) {
  const app = openApp(stack, disk)
  opened.push(app)
  return app
}

/** Resolves with the first finished upgrade `watch` reports; rejects on a final failure. */
function watchUntilDone(app: App): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const stop = app.upgrade.watch(app.session, {
      onResult: (result) => {
        stop()
        resolve(result)
      },
      onError: (error) => {
        if (!error.transient) reject(error)
      },
    })
  })
}

const bodies = (rows: Array<{ body: string }>) => rows.map((r) => r.body).sort()

describe('a guest becomes an account (Better Auth, @keyway/server, PGlite)', () => {
  it('signs up: promoted, every row still theirs, the guest key refused alone, sign-out a fresh guest', async () => {
    const app = open()
    const guestToken = await app.session.getToken()
    expect(app.session.getSnapshot().status).toBe('anonymous')
    const guestId = app.session.getSnapshot().userId!
    expect(guestId).toBe(await app.identity.getId())
    await app.write('synced while a guest')
    await app.sync()
    await app.write('written offline, never synced')
    expect(bodies(await app.list())).toEqual(['synced while a guest'])

    const done = watchUntilDone(app)
    await app.signUp('promoted@keyway.test')
    const result = await done
    const accountId = decodeJwt(await app.session.getToken()).payload.sub!
    expect(result).toEqual({ from: guestId, to: accountId, outcome: 'promoted' })
    expect((await app.upgrade.getState())?.state).toBe('done')

    // Every row, the unsynced one included, is the account's now: on the server and locally.
    expect(bodies(await app.list())).toEqual([
      'synced while a guest',
      'written offline, never synced',
    ])
    expect([...app.disk.local.values()].every((n) => n.owner === accountId && n.synced)).toBe(true)
    expect((await stack.allNotes()).filter((n) => n.owner === guestId)).toHaveLength(2)

    // The guest key can no longer authenticate on its own: the device forgot it, and the
    // server refuses the guest's still-unexpired token.
    expect(await app.identity.currentId()).toBeUndefined()
    const res = await fetch(`${stack.url}/notes`, {
      headers: { authorization: `Bearer ${guestToken}` },
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'anonymous_not_accepted' })

    // Sign-out: a fresh guest with a new key, who sees none of the account's rows.
    await app.signOut()
    await app.session.getToken()
    // The provider's own sign-out event may still arrive and be checked against the new guest.
    while (app.session.getSnapshot().refreshing) await new Promise((r) => setTimeout(r, 10))
    await app.session.getToken()
    expect(app.session.getSnapshot().status).toBe('anonymous')
    const nextGuest = app.session.getSnapshot().userId
    expect(nextGuest).toMatch(/^anon_/)
    expect(nextGuest).not.toBe(guestId)
    expect(await app.list()).toEqual([])
  })

  it('signs in to an account that has rows: linked_existing, both sets visible, none lost', async () => {
    const laptop = open()
    await laptop.signUp('existing@keyway.test')
    const accountId = laptop.session.getSnapshot().userId!
    await laptop.write('account row 1')
    await laptop.write('account row 2')
    await laptop.sync()

    const phone = open()
    await phone.session.getToken()
    const guestId = phone.session.getSnapshot().userId!
    await phone.write('guest row, synced')
    await phone.sync()
    await phone.write('guest row, unsynced')

    const done = watchUntilDone(phone)
    await phone.signIn('existing@keyway.test')
    expect(await done).toEqual({ from: guestId, to: accountId, outcome: 'linked_existing' })

    const expected = ['account row 1', 'account row 2', 'guest row, synced', 'guest row, unsynced']
    expect(bodies(await phone.list())).toEqual(expected)
    expect(bodies(await laptop.list())).toEqual(expected)
    const all = await stack.allNotes()
    const mine = all.filter((n) => n.owner === accountId || n.owner === guestId)
    expect(mine).toHaveLength(4)
    expect(new Set(mine.map((n) => n.id)).size).toBe(4)
  })

  it('a guest linked to one account is refused by another: 409 already_linked, no row moves', async () => {
    const disk = deviceDisk()
    const app = open(disk)
    await app.session.getToken()
    const guestId = app.session.getSnapshot().userId!
    await app.write('belongs to the first account')
    await app.sync()
    await app.signUp('first@keyway.test')
    const providerA = await app.session.getToken()
    // The guest is linked to A by hand (its key kept, as if this device never finished).
    const proof = await app.identity.createLinkProof({
      providerToken: providerA,
      nonce: (await stack.links.challenge()).nonce,
      audience: `${stack.url}/link/link`,
    })
    expect((await stack.links.link({ providerToken: providerA, proof })).outcome).toBe('promoted')

    const other = open()
    await other.signUp('second@keyway.test')
    const providerB = await other.session.getToken()
    const error = await app.upgrade.run(providerB).catch((e) => e)
    expect(error).toMatchObject({ code: 'ERR_LINK', reason: 'already_linked', status: 409 })
    expect(error.transient).toBe(false)
    // Nothing was discarded: the guest key and the pending step are still there.
    expect(await app.identity.currentId()).toBe(guestId)
    expect((await app.upgrade.getState())?.state).toBe('pending')
    expect(await other.list()).toEqual([])
    expect(await app.upgrade.abandon()).toBe(true)
  })
})
