// A minimal render/renderHook over react-dom/client and React's own `act`. The workspace has
// @testing-library/react but not its peer @testing-library/dom, so tests use React directly.
import { act, type ComponentType, type ReactNode } from 'react'
import { createRoot, type Root } from 'react-dom/client'

// Tells React that updates are wrapped in act(), so it flushes them there and warns otherwise.
;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

type Wrapper = ComponentType<{ children: ReactNode }>

const mounted = new Set<Root>()

export interface Rendered {
  container: HTMLElement
  unmount(): void
}

export function render(ui: ReactNode, options: { wrapper?: Wrapper } = {}): Rendered {
  const container = document.createElement('div')
  document.body.append(container)
  const root = createRoot(container)
  mounted.add(root)
  const Wrap = options.wrapper
  act(() => root.render(Wrap ? <Wrap>{ui}</Wrap> : ui))
  return {
    container,
    unmount() {
      if (!mounted.delete(root)) return
      act(() => root.unmount())
      container.remove()
    },
  }
}

function HookProbe({ hook, onResult }: { hook: () => unknown; onResult: (v: unknown) => void }) {
  onResult(hook())
  return null
}

export function renderHook<T>(
  hook: () => T,
  options: { wrapper?: Wrapper } = {},
): { result: { readonly current: T }; unmount(): void } {
  const result = { current: undefined as T }
  const view = render(
    <HookProbe hook={hook} onResult={(v) => (result.current = v as T)} />,
    options,
  )
  return { result, unmount: view.unmount }
}

/** Unmounts everything rendered so far (for afterEach). */
export function cleanup(): void {
  for (const root of [...mounted]) {
    mounted.delete(root)
    act(() => root.unmount())
  }
  document.body.replaceChildren()
}

export { act }
