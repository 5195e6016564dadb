import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    noop: 'src/noop.ts',
    react: 'src/react.tsx',
    'react-noop': 'src/react-noop.ts',
  },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', react: 'src/react.tsx' } },
  clean: true,
  target: 'es2022',
  external: [/^@keyway\//, 'react'],
})
