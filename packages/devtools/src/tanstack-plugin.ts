import { type DevtoolsOptions, mountKeywayDevtools } from './panel/mount.js'

/**
 * A plugin in the shape `@tanstack/devtools` takes (`TanStackDevtoolsPlugin`: `id`, `name`,
 * `render(el)`, `destroy()`), declared here so keyway does not depend on it.
 */
export interface KeywayTanStackPlugin {
  id: string
  name: string
  render(el: HTMLElement): void
  destroy(pluginId?: string): void
}

/**
 * keyway's panel as a TanStack Devtools plugin: it draws embedded in the plugin's pane.
 *
 * @example
 * ```tsx
 * <TanStackDevtools plugins={[keywayDevtoolsPlugin({ sessions: [{ session, controls }] })]} />
 * ```
 */
export function keywayDevtoolsPlugin(
  options: Omit<DevtoolsOptions, 'target' | 'initialOpen'>,
): KeywayTanStackPlugin {
  let unmount: (() => void) | undefined
  return {
    id: 'keyway',
    name: 'keyway',
    render(el) {
      unmount?.()
      unmount = mountKeywayDevtools({ ...options, target: el })
    },
    destroy() {
      unmount?.()
      unmount = undefined
    },
  }
}
