// @keyway/devtools: in a production build this entry resolves to `noop.ts` (the `production`
// export condition), so an app that imports it ships none of the panel.
export { type DevtoolsControls, devtoolsPlatform } from './devtools-platform.js'
export {
  type DevtoolsOptions,
  type DevtoolsSession,
  mountKeywayDevtools,
} from './panel/mount.js'
export { type KeywayTanStackPlugin, keywayDevtoolsPlugin } from './tanstack-plugin.js'
