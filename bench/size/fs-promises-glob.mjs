// node:fs/promises for size-limit on Node 20 (see node20.mjs).
export * from 'node:fs/promises'

export function glob() {
  throw new Error('size-limit `path` globs need Node 22: use `import` checks in .size-limit.mjs')
}
