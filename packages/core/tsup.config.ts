import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    anonymous: 'src/anonymous/index.ts',
    testing: 'src/testing/index.ts',
    'testing-vitest': 'src/testing/vitest.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  external: [/^@keyway\//],
})
