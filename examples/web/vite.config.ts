import { defaultClientConditions, defineConfig } from 'vite'

// Workspace packages resolve to their TypeScript sources: the demo needs no package build.
export default defineConfig({
  resolve: { conditions: ['@keyway/source', ...defaultClientConditions] },
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  logLevel: 'warn',
})
