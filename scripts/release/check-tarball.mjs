// Checks on the tarballs themselves, unpacked side by side into one node_modules (as an app
// would have them): what ships, what the published package.json says, that every export
// resolves in Node (import and require), and that its types resolve for a TypeScript app under
// `bundler`, `node16` and `nodenext`, in ESM files and in CommonJS files.

import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

/** What may ship: the build, the README, the licence and the manifest. */
const ALLOWED = /^(dist\/.+\.(js|d\.ts|d\.cts)|README\.md|LICENSE|package\.json)$/

/** The paths in a tarball, without the leading `package/`. */
export function tarballFiles(tarball) {
  return execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''))
    .sort()
}

/** Unpacks every tarball to `<dir>/node_modules/<name>`. */
export function unpackAll(packs, dir) {
  rmSync(dir, { recursive: true, force: true })
  for (const { name, tarball } of packs) {
    const into = join(dir, 'node_modules', name)
    mkdirSync(into, { recursive: true })
    execFileSync('tar', ['xzf', tarball, '-C', into, '--strip-components=1'])
  }
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n')
}

/** Every subpath specifier a package exports (`@keyway/core`, `@keyway/core/testing`, …). */
export function specifiers(manifest) {
  return Object.keys(manifest.exports).map((sub) =>
    sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`,
  )
}

function targets(entry) {
  if (typeof entry === 'string') return [entry]
  return Object.values(entry).flatMap(targets)
}

/** Problems in what the tarball holds and in its published manifest. */
export function contentProblems(files, manifest) {
  const problems = []
  for (const f of files) if (!ALLOWED.test(f)) problems.push(`ships ${f}`)
  for (const f of ['package.json', 'README.md', 'LICENSE'])
    if (!files.includes(f)) problems.push(`does not ship ${f}`)
  const text = JSON.stringify(manifest)
  if (text.includes('@keyway/source')) problems.push('published exports name @keyway/source')
  if (text.includes('./src/')) problems.push('published package.json points into ./src/')
  if (text.includes('workspace:')) problems.push('a workspace: range was not rewritten')
  for (const [sub, entry] of Object.entries(manifest.exports ?? {})) {
    if (typeof entry !== 'object' || !('default' in entry))
      problems.push(`exports["${sub}"] has no default condition`)
    for (const target of targets(entry))
      if (!files.includes(target.replace(/^\.\//, '')))
        problems.push(`exports["${sub}"] → ${target} is not in the tarball`)
  }
  return problems
}

/**
 * Resolves every specifier from `dir` in a fresh Node, with `import` and with `require`
 * conditions. Returns `[specifier, problem]` for each that does not resolve to an existing file.
 */
export function nodeResolutionProblems(dir, specs) {
  const script = `
    import { createRequire } from 'node:module'
    import { existsSync } from 'node:fs'
    import { fileURLToPath } from 'node:url'
    const require = createRequire(${JSON.stringify(join(dir, 'consumer.cjs'))})
    const problems = []
    for (const spec of ${JSON.stringify(specs)}) {
      for (const [how, resolve] of [
        ['import', (s) => fileURLToPath(import.meta.resolve(s))],
        ['require', (s) => require.resolve(s)],
      ]) {
        try {
          const file = resolve(spec)
          if (!existsSync(file)) problems.push([spec, how + ' ' + spec + ': ' + file + ' does not exist'])
        } catch (e) { problems.push([spec, how + ' ' + spec + ': ' + e.code]) }
      }
    }
    console.log(JSON.stringify(problems))`
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    encoding: 'utf8',
  })
  if (run.status !== 0) return specs.map((s) => [s, `node could not resolve: ${run.stderr}`])
  return JSON.parse(run.stdout)
}

/** The TypeScript settings an app may use, and the file kind each is checked from. */
export const TYPE_MODES = [
  {
    mode: 'bundler',
    ext: '.ts',
    module: ts.ModuleKind.ESNext,
    resolution: ts.ModuleResolutionKind.Bundler,
  },
  {
    mode: 'node16 (ESM)',
    ext: '.mts',
    module: ts.ModuleKind.Node16,
    resolution: ts.ModuleResolutionKind.Node16,
  },
  {
    mode: 'node16 (CommonJS)',
    ext: '.cts',
    module: ts.ModuleKind.Node16,
    resolution: ts.ModuleResolutionKind.Node16,
  },
  {
    mode: 'nodenext (ESM)',
    ext: '.mts',
    module: ts.ModuleKind.NodeNext,
    resolution: ts.ModuleResolutionKind.NodeNext,
  },
  {
    mode: 'nodenext (CommonJS)',
    ext: '.cts',
    module: ts.ModuleKind.NodeNext,
    resolution: ts.ModuleResolutionKind.NodeNext,
  },
]

/**
 * Type-checks one consumer file per mode that imports every specifier, and returns the
 * diagnostics of that file (TS2307 "cannot find module", TS1479 "ESM from CommonJS", …).
 * Declaration files are not checked (skipLibCheck): provider SDK types are not installed here.
 * @returns {Map<string, string[]>} specifier → problems
 */
export function typeResolutionProblems(dir, specs) {
  const bySpec = new Map(specs.map((s) => [s, []]))
  for (const { mode, ext, module, resolution } of TYPE_MODES) {
    const file = join(dir, `consumer-${mode.replace(/\W+/g, '-')}${ext}`)
    const lines = specs.map((s, i) => `import * as m${i} from '${s}'\nexport const e${i} = m${i}`)
    writeFileSync(file, `${lines.join('\n')}\n`)
    const program = ts.createProgram([file], {
      module,
      moduleResolution: resolution,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: [],
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    })
    const source = program.getSourceFile(file)
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ]
    for (const d of diagnostics) {
      const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line
      const spec = specs[Math.floor(line / 2)]
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ')
      bySpec.get(spec)?.push(`types under ${mode}: TS${d.code} ${message}`)
    }
  }
  return bySpec
}

/** The published manifest inside an unpacked tarball. */
export function publishedManifest(dir, name) {
  const file = join(dir, 'node_modules', name, 'package.json')
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null
}
