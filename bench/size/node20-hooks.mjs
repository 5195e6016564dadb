// Module hook (see node20.mjs): size-limit's own imports of node:fs/promises get the shim.
const SHIM = new URL('./fs-promises-glob.mjs', import.meta.url).href

export async function resolve(specifier, context, next) {
  if (specifier === 'node:fs/promises' && context.parentURL?.includes('/size-limit/'))
    return { url: SHIM, shortCircuit: true }
  return next(specifier, context)
}
