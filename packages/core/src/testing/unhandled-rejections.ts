import { afterEach, beforeEach } from 'vitest'

/** Node's `process`, as far as used here: this source is built without Node's types. */
interface RejectionEvents {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown
}

/**
 * Collects, test by test, the rejections nobody handled: a client that calls keyway's function
 * from a promise it never awaits (convex-js's `void this.refetchToken()`, a status callback)
 * turns a throw into one. Vitest would only report it after the file, against no test;
 * collected here, the test that caused it can assert there was none. Node only.
 *
 * @example
 * ```ts
 * const unhandled = captureUnhandledRejections()
 *
 * it('a final error reaches the client as null, not as a throw', async () => {
 *   // …
 *   expect(unhandled).toEqual([])
 * })
 * ```
 */
export function captureUnhandledRejections(): unknown[] {
  const node = (globalThis as unknown as { process: RejectionEvents }).process
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => void unhandled.push(reason)
  beforeEach(() => {
    unhandled.length = 0
    node.on('unhandledRejection', onUnhandled)
  })
  afterEach(() => {
    node.off('unhandledRejection', onUnhandled)
  })
  return unhandled
}
