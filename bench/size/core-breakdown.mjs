// Why @keyway/core weighs what it weighs: which source modules fill the bundle (esbuild
// metafile), and what the main entry would weigh if parts of it moved to subpaths. Each option
// is core's real src/index.ts with some `export … from` statements left out, bundled by esbuild
// (as tsup does) and then measured like every other number (rolldown, minified, gzip -9).
// One more option is a floor rather than a product: core with every message emptied.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { gzipSizeOf, gzipSizeOfImports, loadEsbuild, ROOT } from './measure.mjs'

const SRC = join(ROOT, 'packages/core/src')
const TMP = join(ROOT, 'bench/.tmp/core-options')

/** The `export … from '<module>'` statements of core's index, with the module each names. */
function indexStatements() {
  const text = readFileSync(join(SRC, 'index.ts'), 'utf8')
  return [...text.matchAll(/export\s[\s\S]*?from\s+'([^']+)'/g)].map((m) => ({
    text: m[0],
    module: m[1],
  }))
}

/**
 * An esbuild plugin that empties every message in core's source: template literals and string
 * literals with a space in them (error messages, log lines). Codes, statuses and keys have no
 * space and stay. What is left is what the behaviour alone weighs.
 */
const emptyMessages = {
  name: 'empty-messages',
  setup(build) {
    build.onLoad({ filter: /packages\/core\/src\/.*\.ts$/ }, (args) => {
      const source = ts.createSourceFile(args.path, readFileSync(args.path, 'utf8'), 99, true)
      const empty = (context) => (root) => {
        const visit = (node) => {
          if (
            ts.isTemplateExpression(node) ||
            ts.isNoSubstitutionTemplateLiteral(node) ||
            (ts.isStringLiteral(node) &&
              node.text.includes(' ') &&
              !ts.isImportDeclaration(node.parent) &&
              !ts.isExportDeclaration(node.parent))
          )
            return ts.factory.createStringLiteral('')
          return ts.visitEachChild(node, visit, context)
        }
        return ts.visitNode(root, visit)
      }
      const [out] = ts.transform(source, [empty]).transformed
      return { contents: ts.createPrinter().printFile(out), loader: 'ts' }
    })
  },
}

async function bundleIndex(name, leaveOut, plugins = []) {
  const { build } = loadEsbuild()
  const contents = indexStatements()
    .filter((s) => !leaveOut.includes(s.module))
    .map((s) => s.text)
    .join('\n')
  const result = await build({
    stdin: { contents, resolveDir: SRC, loader: 'ts', sourcefile: `${name}.ts` },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    plugins,
  })
  mkdirSync(TMP, { recursive: true })
  const file = join(TMP, `${name}.js`)
  writeFileSync(file, result.outputFiles[0].text)
  return { file, metafile: result.metafile }
}

/** Minified bytes each source module puts into the full core bundle. */
async function moduleBreakdown() {
  const { build } = loadEsbuild()
  const result = await build({
    entryPoints: [join(SRC, 'index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
  })
  const output = Object.values(result.metafile.outputs)[0]
  const total = output.bytes
  return Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({
      module: path.replace(/^.*packages\/core\/src\//, ''),
      minBytes: bytesInOutput,
      share: bytesInOutput / total,
    }))
    .filter((m) => m.minBytes > 0)
    .sort((a, b) => b.minBytes - a.minBytes)
}

/**
 * @returns {Promise<{ modules: Array<{module: string, minBytes: number, share: number}>,
 *   options: Array<{option: string, gz: number, note: string}> }>}
 */
export async function coreBreakdown() {
  const modules = await moduleBreakdown()
  const dist = join(ROOT, 'packages/core/dist/index.js')
  const measureOption = async (name, leaveOut, plugins) =>
    gzipSizeOf([(await bundleIndex(name, leaveOut, plugins)).file])

  const full = await measureOption('full', [])
  const noFetch = await measureOption('no-authfetch', ['./auth-fetch.js'])
  const noMessages = await measureOption('no-messages', [], [emptyMessages])
  const sessionOnly = await gzipSizeOfImports({ [dist]: '{ createSession }' })
  const sessionAndFetch = await gzipSizeOfImports({ [dist]: '{ createSession, authFetch }' })
  const anonymous = await gzipSizeOfImports({
    [join(ROOT, 'packages/core/dist/anonymous.js')]: '*',
  })
  const options = [
    { option: '`@keyway/core` full import (src, as built)', gz: full, note: 'the budgeted entry' },
    { option: 'the same without `authFetch`', gz: noFetch, note: 'were it a subpath' },
    {
      option: 'the same with every message emptied',
      gz: noMessages,
      note: 'a floor, not a product: errors and log lines without words',
    },
    { option: 'an app importing only `createSession` (tree-shaken)', gz: sessionOnly, note: '' },
    { option: '`createSession` + `authFetch`', gz: sessionAndFetch, note: '' },
    {
      option: '`@keyway/core/anonymous` full import',
      gz: anonymous,
      note: 'guest identity + upgrade; pulls in errors, jwt, base64url',
    },
  ]
  return { modules, options }
}
