import { useEffect, useRef } from 'react'
import { type DevtoolsOptions, mountKeywayDevtools } from './panel/mount.js'

export interface KeywayDevtoolsProps extends Omit<DevtoolsOptions, 'target'> {
  /** Draw the panel here, in the page's flow, instead of behind a floating button. */
  embedded?: boolean
}

/**
 * keyway's panel for a React app (a thin wrapper over `mountKeywayDevtools`). Renders
 * nothing in a production build (`@keyway/devtools/react` resolves to a no-op there).
 * Pass a stable `sessions` array (module scope or `useMemo`): a new one remounts the panel.
 *
 * @example
 * ```tsx
 * <KeywayDevtools sessions={[{ session, controls }]} />
 * ```
 */
export function KeywayDevtools(props: KeywayDevtoolsProps) {
  const { sessions, embedded, initialOpen, windowMs } = props
  const ref = useRef<HTMLDivElement>(null)
  useEffect(
    () =>
      mountKeywayDevtools({
        sessions,
        ...(embedded && ref.current ? { target: ref.current } : {}),
        ...(initialOpen === undefined ? {} : { initialOpen }),
        ...(windowMs === undefined ? {} : { windowMs }),
      }),
    [sessions, embedded, initialOpen, windowMs],
  )
  return embedded ? <div ref={ref} /> : null
}
