import type { UpgradeResult } from '@keyway/core/anonymous'
import { createRemoteJWKSet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dieAfterWriting, labelOf, UPGRADE_STEPS } from '../upgrade/support/crash.js'
import { type App, deviceDisk, openApp } from '../upgrade/support/device.js'
import { type Stack, startStack } from '../upgrade/support/stack.js'
import { ChaosRecorder, tokenVerifier } from './invariants.js'

// The upgrade interrupted at each persisted state, on the real stack of test/upgrade (Better
// Auth in-process, data API on PGlite with row-level security, real link endpoints). The
// resumption itself (every row exactly once, the guest refused afterwards) is proven in
// test/upgrade/crash-resume.test.ts; this one parametrized test asserts the chaos invariants
// across the crash: neither app start's session is ever signedOut, the call budget holds,
// the resumed session is healthy, and none of the guest's pending rows is lost.
// The session here runs on real timers (openApp's default platform), so times are real ms.

let stack: Stack
const opened: App[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const app of opened) app.close()
  await stack.close()
})

const STATES = UPGRADE_STEPS

/** Real time for a session on real timers; "advancing" is letting the event loop run. */
const realClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  advance: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 50))),
}

function observed(app: App): ChaosRecorder {
  const rec = new ChaosRecorder({ clock: realClock })
  rec.instrumentInPlace(app.session.connector)
  rec.observe(app.session)
  opened.push(app)
  return rec
}

let accounts = 0

describe('chaos: upgrade interrupted at each state', () => {
  it.for(STATES)(
    'upgrade interrupted right after "%s": no unsynced guest row is lost',
    { timeout: 60_000 },
    async (state) => {
      const disk = deviceDisk()
      const first = openApp(stack, {
        ...disk,
        upgradeStore: dieAfterWriting(disk.upgradeStore, state),
      })
      const rec1 = observed(first)
      await first.session.getToken()
      const guestId = first.session.getSnapshot().userId!
      expect(first.session.getSnapshot().status).toBe('anonymous')
      await first.write('synced guest row')
      await first.sync()
      const pending = [await first.write('pending 1'), await first.write('pending 2')]
      await first.signUp(`chaos-${++accounts}-${crypto.randomUUID()}@keyway.test`)
      const accountId = first.session.getSnapshot().userId!
      rec1.faultStarts()
      await expect(first.upgrade.run(await first.session.getToken())).rejects.toThrow(/killed/)
      expect(labelOf((await disk.upgradeStore.get())!)).toBe(state)
      // Until the crash the pending rows are on the device, whatever the state.
      for (const row of pending) expect(disk.local.get(row.id)?.body).toBe(row.body)
      first.close()
      await rec1.assertInvariants(first.session, { verify: async () => {}, noRecovery: true })

      const again = openApp(stack, disk)
      const rec2 = observed(again)
      rec2.faultStarts()
      const result = await new Promise<UpgradeResult>((resolve, reject) => {
        const stop = again.upgrade.watch(again.session, {
          onResult: (r) => {
            stop()
            resolve(r)
          },
          onError: (e) => {
            if (!e.transient) reject(e)
          },
        })
      })
      rec2.faultEnds()
      expect(result).toEqual({ from: guestId, to: accountId, outcome: 'promoted' })
      await rec2.assertInvariants(again.session, {
        verify: tokenVerifier(createRemoteJWKSet(new URL(`${stack.url}/api/auth/jwks`)), () =>
          Date.now(),
        ),
      })
      expect(again.session.getSnapshot().userId).toBe(accountId)

      // No unsynced data is lost: both pending rows are on the device, the account's, synced,
      // and on the server exactly once; the account sees every row.
      for (const row of pending)
        expect(disk.local.get(row.id)).toMatchObject({ owner: accountId, synced: true })
      const server = (await stack.allNotes()).filter((n) => n.owner === guestId)
      expect(server.map((n) => n.body).sort()).toEqual([
        'pending 1',
        'pending 2',
        'synced guest row',
      ])
      const visible = await again.list()
      expect(visible.map((n) => n.body).sort()).toEqual(server.map((n) => n.body).sort())
    },
  )
})
