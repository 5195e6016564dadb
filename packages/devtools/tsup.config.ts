import { packageBuild } from '../../tsup.package.js'

export default packageBuild(
  {
    index: 'src/index.ts',
    noop: 'src/noop.ts',
    react: 'src/react.tsx',
    'react-noop': 'src/react-noop.ts',
  },
  {
    dts: { entry: { index: 'src/index.ts', react: 'src/react.tsx' } },
    external: [/^@keyway\//, 'react'],
  },
)
