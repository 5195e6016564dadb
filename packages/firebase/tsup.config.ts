import { packageBuild } from '../../tsup.package.js'

export default packageBuild({ index: 'src/index.ts', 'react-native': 'src/react-native.ts' })
