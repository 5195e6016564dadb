import nodeConsole from 'node:console'
import { afterAll, beforeAll, vi } from 'vitest'

type Method = 'error' | 'warn' | 'debug' | 'log'

/** One line of text for a console argument: an Error is its name, message and code. */
function textOf(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code
    return `${value.name}: ${value.message}${code ? ` (${code})` : ''}`
  }
  return String(value)
}

/**
 * Swallows, for the whole test file, the console lines a file's tests provoke on purpose in
 * third-party code: happy-dom's dump of every failed request during a simulated outage, an SDK's
 * debug dump of a refused refresh. A green run then prints no stack traces. Anything that matches
 * none of `patterns` still prints, and `seen()` returns what was swallowed, so a test can assert
 * the expected failure really happened. File-scoped (beforeAll/afterAll), because the libraries
 * log asynchronously, after the test that caused it may have ended. Both consoles are watched:
 * the test's, and Node's own (`node:console`), which happy-dom keeps from before Vitest
 * replaced the global one.
 *
 * @example
 * ```ts
 * const swallowed = expectLogs('debug', /^RefreshError: /)
 * ```
 */
export function expectLogs(method: Method, ...patterns: RegExp[]): { seen(): string[] } {
  const seen: string[] = []
  const restores: Array<() => void> = []
  beforeAll(() => {
    for (const target of new Set([console, nodeConsole])) {
      const original = target[method].bind(target)
      const spy = vi.spyOn(target, method).mockImplementation((...args: unknown[]) => {
        const text = args.map(textOf).join(' ')
        if (patterns.some((p) => p.test(text))) seen.push(text)
        else original(...args)
      })
      restores.push(() => spy.mockRestore())
    }
  })
  afterAll(() => {
    for (const restore of restores.splice(0)) restore()
  })
  return { seen: () => [...seen] }
}
