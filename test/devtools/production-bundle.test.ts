import { fileURLToPath } from 'node:url'
import { build, defaultClientConditions, type Rollup } from 'vite'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('./prod-app/', import.meta.url))

/** Strings only the panel's code holds: its host attribute, a button, its stylesheet. */
const PANEL_CODE = [
  'data-keyway-devtools',
  'Simulate 401',
  'repeating-linear-gradient',
  'BroadcastChannel',
]

/**
 * Builds the app as `vite build` does with NODE_ENV `nodeEnv` (unset, the CLI makes it
 * `production`; vitest sets `test`), from workspace sources, and returns its JavaScript.
 */
async function bundle(nodeEnv: 'production' | 'development'): Promise<string> {
  const saved = process.env.NODE_ENV
  process.env.NODE_ENV = nodeEnv
  let output: Rollup.RollupOutput
  try {
    output = (await build({
      root,
      mode: nodeEnv,
      logLevel: 'silent',
      configFile: false,
      resolve: { conditions: ['@keyway/source', ...defaultClientConditions] },
      esbuild: { jsx: 'automatic' },
      build: { write: false, modulePreload: false },
    })) as Rollup.RollupOutput
  } finally {
    process.env.NODE_ENV = saved
  }
  return output.output
    .filter((chunk): chunk is Rollup.OutputChunk => chunk.type === 'chunk')
    .map((chunk) => chunk.code)
    .join('\n')
}

describe('@keyway/devtools in a production build (Vite)', () => {
  it('resolves to a no-op: none of the panel is in the bundle', async () => {
    // `vite build`: the production condition, as every app's build has it.
    const production = await bundle('production')
    // The same app built for development: the panel is there, so the search can fail.
    const development = await bundle('development')
    console.log(
      `app bundle: ${production.length} B in production, ${development.length} B in development (with the panel)`,
    )
    for (const code of PANEL_CODE) {
      expect(development).toContain(code)
      expect(production).not.toContain(code)
    }
    expect(development.length - production.length).toBeGreaterThan(5_000)
  }, 60_000)
})
