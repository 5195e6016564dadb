import type { UpgradeRecord, UpgradeStore } from '@keyway/core/anonymous'

/** Every persisted step of an upgrade, with the pending step's sub-steps told apart. */
export const UPGRADE_STEPS = [
  'pending(new)',
  'pending(flushed)',
  'pending(sent)',
  'linked',
  'migrated',
  'done',
] as const

/** The step a record stands for, in the words of {@link UPGRADE_STEPS}. */
export function labelOf(record: UpgradeRecord): string {
  if (record.state !== 'pending') return record.state
  return `pending(${record.linkSent ? 'sent' : record.flushed ? 'flushed' : 'new'})`
}

/** The store on disk, except that the process dies right after `label` was written. */
export function dieAfterWriting(store: UpgradeStore, label: string): UpgradeStore {
  return {
    get: () => store.get(),
    delete: () => store.delete(),
    async set(record) {
      await store.set(record)
      if (labelOf(record) === label) throw new Error(`process killed after writing ${label}`)
    },
  }
}
