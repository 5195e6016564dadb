import { packageBuild } from '../../tsup.package.js'

export default packageBuild(
  {
    index: 'src/index.ts',
    anonymous: 'src/anonymous/index.ts',
    testing: 'src/testing/index.ts',
    'testing-vitest': 'src/testing/vitest.ts',
  },
  {
    // The session engine's state record (`Engine`, `RetryState`, `ClockEstimate`) names its
    // fields `_like_this`: they never leave core, so the build shortens them as it does locals.
    esbuildOptions(options) {
      options.mangleProps = /^_[a-zA-Z]/
    },
  },
)
