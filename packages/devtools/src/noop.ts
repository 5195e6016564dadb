// What `@keyway/devtools` is in a production build (the `production` export condition): the
// same names, doing nothing, with none of the panel's code. `devtoolsPlatform` hands back the
// platform it was given, unchanged.
import type {
  DevtoolsControls,
  devtoolsPlatform as devtoolsPlatformType,
  keywayDevtoolsPlugin as keywayDevtoolsPluginType,
  mountKeywayDevtools as mountKeywayDevtoolsType,
} from './index.js'

export type {
  DevtoolsControls,
  DevtoolsOptions,
  DevtoolsSession,
  KeywayTanStackPlugin,
} from './index.js'

const nothing = () => {}

export const mountKeywayDevtools: typeof mountKeywayDevtoolsType = () => nothing

export const devtoolsPlatform: typeof devtoolsPlatformType = (platform) =>
  ({
    platform,
    offline: false,
    clockOffsetMs: 0,
    setOffline: nothing,
    expireNow: nothing,
    subscribe: () => nothing,
  }) satisfies DevtoolsControls

export const keywayDevtoolsPlugin: typeof keywayDevtoolsPluginType = () => ({
  id: 'keyway',
  name: 'keyway',
  render: nothing,
  destroy: nothing,
})
