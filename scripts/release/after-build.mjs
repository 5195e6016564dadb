// Runs after `tsup` in every package's `build` script (cwd = the package). Two things each
// tarball needs that tsup does not make:
//
// - CommonJS type declarations: a `.d.cts` twin of every `dist/*.d.ts`. The JavaScript stays
//   ESM only (one copy of the session engine, whatever loads it), and Node ≥ 20.19 `require()`s
//   it; a TypeScript project in CommonJS mode (`module: node16`) reads the `require` types and
//   would refuse `.d.ts` files of an ESM package (TS1479). Relative specifiers are rewritten
//   (`./errors-x.js` → `./errors-x.cjs`) so the twins import each other, never the ESM ones.
// - The licence: the root LICENSE, copied next to package.json, where `pnpm pack` finds it.

import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = new URL('../../', import.meta.url)
const dist = join(process.cwd(), 'dist')

for (const file of readdirSync(dist)) {
  if (!file.endsWith('.d.ts')) continue
  const text = readFileSync(join(dist, file), 'utf8').replace(
    /(from\s+|import\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\.js\2/g,
    '$1$2$3.cjs$2',
  )
  writeFileSync(join(dist, file.replace(/\.d\.ts$/, '.d.cts')), text)
}

copyFileSync(new URL('LICENSE', ROOT), join(process.cwd(), 'LICENSE'))
