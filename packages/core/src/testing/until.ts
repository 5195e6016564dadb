/**
 * Waits until `check()` holds. Provider SDKs deliver auth events asynchronously, so this
 * polls on macrotask turns (10 ms each), not on the session's clock. Throws after `tries`.
 */
export async function until(
  check: () => boolean,
  what: string,
  { suite, tries }: { suite: string; tries: number },
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${suite}: timed out waiting for ${what}`)
}
