import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', 'react-native': 'src/react-native.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  external: [/^@keyway\//],
})
