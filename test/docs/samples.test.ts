// Every ts/tsx code block in docs/ names a sample file (`// docs/samples/…` as its first line)
// and must be an excerpt of that file, which `pnpm typecheck` compiles: a doc cannot drift from
// code that builds.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname
const docs = join(root, 'docs')

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory())
      return entry.name === 'api' || entry.name === 'node_modules' ? [] : markdownFiles(path)
    return entry.name.endsWith('.md') ? [path] : []
  })
}

interface Excerpt {
  doc: string
  sample: string
  lines: string[]
}

function excerpts(): Excerpt[] {
  const found: Excerpt[] = []
  for (const doc of markdownFiles(docs)) {
    const text = readFileSync(doc, 'utf8')
    for (const match of text.matchAll(/```(?:ts|tsx)\n([\s\S]*?)```/g)) {
      const [first, ...rest] = match[1]!.split('\n')
      const sample = /^\/\/ (docs\/samples\/\S+)$/.exec(first!.trim())?.[1] ?? ''
      found.push({
        doc: relative(root, doc),
        sample,
        lines: rest.map((l) => l.trim()).filter((l) => l !== '' && l !== '// …' && l !== '…'),
      })
    }
  }
  return found
}

const all = excerpts()

describe('docs code samples', () => {
  it('finds the sample-backed blocks', () => {
    expect(all.length).toBeGreaterThanOrEqual(5)
  })

  it.each(all.map((e) => [`${e.doc} → ${e.sample}`, e] as const))('%s', (_name, excerpt) => {
    expect(excerpt.sample, 'every ts/tsx block must start with // docs/samples/<file>').not.toBe('')
    const path = join(root, excerpt.sample)
    expect(existsSync(path), `${excerpt.sample} does not exist`).toBe(true)
    const source = readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => l.trim())
    // The block's lines appear in the file, in order (the doc may leave lines out).
    let at = 0
    for (const line of excerpt.lines) {
      const found = source.indexOf(line, at)
      expect(
        found,
        `"${line}" is not in ${excerpt.sample} (after line ${at})`,
      ).toBeGreaterThanOrEqual(0)
      at = found + 1
    }
  })
})
