// Why @keyway/core weighs what it weighs: which source modules fill the bundle (esbuild
// metafile), and what the main entry would weigh if parts of it moved to subpaths. Each option
// is core's real src/index.ts with some `export … from` statements left out, bundled by esbuild
// (as tsup does) and then measured like every other number (rolldown, minified, gzip -9).
// Two more options are floors rather than products: core with every message emptied, and core
// with only the engine's rules left (no messages, no log lines, no inspect events, no storage
// or cross-tab, no authFetch): what issue 11's behaviour weighs by itself.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { gzipSizeOf, gzipSizeOfImports, loadEsbuild, ROOT } from './measure.mjs'

const CORE_MANGLE_PROPS = /^_[a-zA-Z]/

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

/** Whether a string literal is a message (error messages and log lines have a space). */
function isMessage(node) {
  return (
    ts.isTemplateExpression(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    (ts.isStringLiteral(node) &&
      node.text.includes(' ') &&
      !ts.isImportDeclaration(node.parent) &&
      !ts.isExportDeclaration(node.parent))
  )
}

/**
 * Calls to the engine's `log(e, …)` and `event(e, …)` (state.ts) and `tellSchedule(e, …)`
 * (proactive-refresh.ts): debug output and what devtools hear.
 */
function isTelemetry(node) {
  return (
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    ['log', 'event', 'tellSchedule'].includes(node.expression.text)
  )
}

/** `….crossTab` and `….storage` read from the platform: what sharing across tabs needs. */
function isSharing(node) {
  return (
    ts.isPropertyAccessExpression(node) &&
    ['crossTab', 'storage'].includes(node.name.text) &&
    /(^|\.)_?p$/.test(node.expression.getText())
  )
}

/**
 * An esbuild plugin that rewrites core's source before bundling: each node `replace` picks is
 * swapped for `undefined` (and message strings for `''`). It throws when nothing was rewritten,
 * so a renamed function can never make a floor look lower than it is.
 */
function rewrite(name, replace) {
  let rewritten = 0
  return {
    name,
    setup(build) {
      build.onLoad({ filter: /packages\/core\/src\/.*\.ts$/ }, (args) => {
        const source = ts.createSourceFile(args.path, readFileSync(args.path, 'utf8'), 99, true)
        const transform = (context) => (root) => {
          const visit = (node) => {
            const swap = replace(node)
            if (swap) {
              rewritten++
              return swap === 'message'
                ? ts.factory.createStringLiteral('')
                : ts.factory.createIdentifier('undefined')
            }
            return ts.visitEachChild(node, visit, context)
          }
          return ts.visitNode(root, visit)
        }
        const [out] = ts.transform(source, [transform]).transformed
        return { contents: ts.createPrinter().printFile(out), loader: 'ts' }
      })
      build.onEnd(() => {
        if (rewritten === 0) throw new Error(`${name}: nothing in core's source was rewritten`)
      })
    },
  }
}

/** Every message emptied: template literals and string literals with a space in them. */
const emptyMessages = rewrite('empty-messages', (node) => isMessage(node) && 'message')

/** No log lines and no inspect events (what debugging and devtools use). */
const noTelemetry = rewrite('no-telemetry', (node) => isTelemetry(node) && 'undefined')

/** No storage and no cross-tab: every platform without them (Node, a single-window app). */
const noSharing = rewrite('no-sharing', (node) => isSharing(node) && 'undefined')

/** The engine's rules alone: no messages, log lines, inspect events, storage or cross-tab. */
const rulesOnly = rewrite('rules-only', (node) =>
  isTelemetry(node) || isSharing(node) ? 'undefined' : isMessage(node) && 'message',
)

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
    // As packages/core/tsup.config.ts builds it: the engine's `_fields` shortened.
    mangleProps: CORE_MANGLE_PROPS,
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
 *   options: Array<{option: string, gz: number, note: string}>, rulesOnly: number }>}
 */
export async function coreBreakdown() {
  const modules = await moduleBreakdown()
  const dist = join(ROOT, 'packages/core/dist/index.js')
  const measureOption = async (name, leaveOut, plugins) =>
    gzipSizeOf([(await bundleIndex(name, leaveOut, plugins)).file])

  const full = await measureOption('full', [])
  const noFetch = await measureOption('no-authfetch', ['./auth-fetch.js'])
  const noMessages = await measureOption('no-messages', [], [emptyMessages])
  const telemetryLess = await measureOption('no-telemetry', [], [noTelemetry])
  const sharingLess = await measureOption('no-sharing', [], [noSharing])
  const rules = await measureOption('rules-only', ['./auth-fetch.js'], [rulesOnly])
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
    {
      option: 'the same without log lines and `inspect` events',
      gz: telemetryLess,
      note: 'a floor: what debugging and devtools cost',
    },
    {
      option: 'the same without storage and cross-tab',
      gz: sharingLess,
      note: 'what persistence and sharing across tabs cost',
    },
    {
      option: "the engine's rules alone",
      gz: rules,
      note: 'a floor: no messages, log lines, `inspect` events, storage, cross-tab or `authFetch`',
    },
    { option: 'an app importing only `createSession` (tree-shaken)', gz: sessionOnly, note: '' },
    { option: '`createSession` + `authFetch`', gz: sessionAndFetch, note: '' },
    {
      option: '`@keyway/core/anonymous` full import',
      gz: anonymous,
      note: 'guest identity + upgrade; pulls in errors, jwt, base64url',
    },
  ]
  return { modules, options, rulesOnly: rules }
}
