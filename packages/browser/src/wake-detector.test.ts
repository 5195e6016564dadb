import { createTestPlatform } from '@keyway/core/testing'
import { describe, expect, it } from 'vitest'
import { startWakeDetector } from './wake-detector.js'

function detector(options: { hidden?: () => boolean } = {}) {
  const t = createTestPlatform()
  let wakes = 0
  const stop = startWakeDetector(() => wakes++, {
    intervalMs: 10_000,
    clock: t.platform,
    isHidden: options.hidden ?? (() => false),
  })
  return { t, stop, wakes: () => wakes }
}

describe('wake detector (fake clock)', () => {
  it('stays quiet while ticks come on time', async () => {
    const { t, stop, wakes } = detector()
    await t.clock.advance(10 * 60_000)
    expect(wakes()).toBe(0)
    expect(t.pendingTimers()).toBe(1)
    stop()
  })

  it('fires once after a suspend in which the monotonic clock stood still (Linux, macOS)', async () => {
    const { t, stop, wakes } = detector()
    await t.clock.advance(25_000)
    await t.clock.sleep(30 * 60_000)
    expect(wakes()).toBe(0) // nothing runs until the page's next tick
    await t.clock.advance(5_000)
    expect(wakes()).toBe(1)
    await t.clock.advance(60_000)
    expect(wakes()).toBe(1)
    stop()
  })

  it('fires when a frozen page thaws and its overdue tick runs at once (both clocks moved)', async () => {
    const { t, stop, wakes } = detector()
    await t.clock.advance(5_000)
    await t.clock.sleep(60_000, { monotonic: true })
    expect(wakes()).toBe(1)
    stop()
  })

  it('a tick up to 2× late is not a sleep; just over 2× is', async () => {
    const { t, stop, wakes } = detector()
    await t.clock.sleep(20_000, { monotonic: true }) // the first tick runs 20 s after start
    expect(wakes()).toBe(0)
    await t.clock.sleep(20_001, { monotonic: true }) // the next one 20.001 s after the first
    expect(wakes()).toBe(1)
    stop()
  })

  it('ignores the wall clock being set back (NTP), which is not a sleep', async () => {
    const { t, stop, wakes } = detector()
    t.clock.jumpWall(-3_600_000)
    await t.clock.advance(30_000)
    expect(wakes()).toBe(0)
    stop()
  })

  it('in a hidden page, once-a-minute timer batching is not a sleep, a long gap still is', async () => {
    const { t, stop, wakes } = detector({ hidden: () => true })
    await t.clock.sleep(55_000, { monotonic: true }) // Chrome ran the tick a minute late
    expect(wakes()).toBe(0)
    await t.clock.sleep(10 * 60_000)
    await t.clock.advance(10_000)
    expect(wakes()).toBe(1)
    stop()
  })

  it('stop clears its timer and no tick runs afterwards', async () => {
    const { t, stop, wakes } = detector()
    stop()
    expect(t.pendingTimers()).toBe(0)
    await t.clock.sleep(60 * 60_000, { monotonic: true })
    expect(wakes()).toBe(0)
  })
})
