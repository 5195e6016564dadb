// What `@keyway/devtools/react` is in a production build: a component that renders nothing.
import type { KeywayDevtools as KeywayDevtoolsType } from './react.js'

export type { KeywayDevtoolsProps } from './react.js'

export const KeywayDevtools: typeof KeywayDevtoolsType = () => null
