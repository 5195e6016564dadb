import { defineConfig, type Options } from 'tsup'

/**
 * The one build of every package under packages/: ESM for es2022, with declarations, and every
 * `@keyway/*` import left to the app's own copy (core is a peer: one session engine per app).
 * A package's tsup.config.ts names its entries and anything it does differently.
 *
 * @example
 * ```ts
 * export default packageBuild({ index: 'src/index.ts', anonymous: 'src/anonymous.ts' })
 * ```
 */
export function packageBuild(
  entry: Record<string, string> = { index: 'src/index.ts' },
  options: Options = {},
) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts: true,
    clean: true,
    target: 'es2022',
    external: [/^@keyway\//],
    // The package's own sources (packages/<name>/tsconfig.build.json), not the whole repo:
    // the declaration build then reads one package, and 28 builds take a minute, not a minute
    // and a half.
    tsconfig: 'tsconfig.build.json',
    ...options,
  })
}
