import type { UpgradeResult } from '@keyway/core/anonymous'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dieAfterWriting, labelOf } from './support/crash.js'
import { type App, type DeviceDisk, deviceDisk, type Faults, openApp } from './support/device.js'
import { type Stack, startStack } from './support/stack.js'

// The upgrade is interrupted at every point (the process dies right after a step was
// persisted, or a hook throws half-way), the app is opened again from its disk, and the
// upgrade must end `done` with every row present exactly once. Real Better Auth, real data
// API on PGlite with row-level security, real link endpoints.

let stack: Stack
const opened: App[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  for (const app of opened) app.close()
  await stack.close()
})

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

interface Interruption {
  name: string
  /** Prepares the first run's disk and faults. */
  arrange(disk: DeviceDisk): { disk: DeviceDisk; faults: Faults }
  /** The step persisted when the first run died. */
  stuckAt: string
}

const killedAfter = (label: string, stuckAt = label): Interruption => ({
  name: `the process dies right after writing "${label}"`,
  arrange: (disk) => ({
    disk: { ...disk, upgradeStore: dieAfterWriting(disk.upgradeStore, label) },
    faults: {},
  }),
  stuckAt,
})

const interruptions: Interruption[] = [
  killedAfter('pending(new)'),
  killedAfter('pending(flushed)'),
  killedAfter('pending(sent)'),
  killedAfter('linked'),
  killedAfter('migrated'),
  killedAfter('done'),
  {
    name: 'flushPending crashes after a push reached the server, before it was marked synced',
    arrange: (disk) => ({ disk, faults: { flushCrashAfterPushes: 1 } }),
    stuckAt: 'pending(new)',
  },
  {
    name: 'the link answer is lost after the server committed the link',
    arrange: (disk) => ({ disk, faults: { loseLinkAnswer: true } }),
    stuckAt: 'pending(sent)',
  },
  {
    name: 'onUpgrade crashes half-way through re-owning the local rows',
    arrange: (disk) => ({ disk, faults: { reownCrashAfter: 1 } }),
    stuckAt: 'linked',
  },
]

let accounts = 0

describe('an interrupted upgrade resumes after a reload and loses nothing', () => {
  for (const interruption of interruptions)
    it(`${interruption.name}: resumed to done, every row exactly once`, async () => {
      const disk = deviceDisk()
      const first = interruption.arrange(disk)
      const app = openApp(stack, first.disk, first.faults)
      opened.push(app)
      const guestToken = await app.session.getToken()
      const guestId = app.session.getSnapshot().userId!
      await app.write('guest row 1')
      await app.write('guest row 2')
      await app.sync()
      await app.write('guest row 3 (unsynced)')
      await app.write('guest row 4 (unsynced)')
      await app.signUp(`crash-${++accounts}@keyway.test`)
      const accountId = app.session.getSnapshot().userId!

      await expect(app.upgrade.run(await app.session.getToken())).rejects.toThrow(
        /killed|crash|could not be reached/,
      )
      const stuck = await disk.upgradeStore.get()
      expect(stuck && labelOf(stuck)).toBe(interruption.stuckAt)
      app.close() // every in-memory object is gone

      // The app starts again from the same disk; watch resumes at once.
      const again = openApp(stack, disk)
      opened.push(again)
      const result = await watchUntilDone(again)
      expect(result).toEqual({ from: guestId, to: accountId, outcome: 'promoted' })
      expect((await disk.upgradeStore.get())?.state).toBe('done')

      // Every local row reached the server exactly once, and the account sees all of them.
      const local = [...disk.local.values()]
      expect(local).toHaveLength(4)
      expect(local.every((n) => n.owner === accountId && n.synced)).toBe(true)
      const visible = await again.list()
      expect(visible.map((n) => n.id).sort()).toEqual(local.map((n) => n.id).sort())
      const stored = (await stack.allNotes()).filter((n) => n.owner === guestId)
      expect(stored).toHaveLength(4)
      expect(new Set(stored.map((n) => n.id)).size).toBe(4)

      // The guest is over: its key is gone here and refused by the server.
      expect(await again.identity.currentId()).toBeUndefined()
      const res = await fetch(`${stack.url}/notes`, {
        headers: { authorization: `Bearer ${guestToken}` },
      })
      expect(res.status).toBe(401)
    })
})
