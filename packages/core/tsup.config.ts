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
  // The session engine's state record (`Engine`, `RetryState`, `ClockEstimate`) names its
  // fields `_like_this`: they never leave core, so the build shortens them as it does locals.
  esbuildOptions(options) {
    options.mangleProps = /^_[a-zA-Z]/
  },
})
