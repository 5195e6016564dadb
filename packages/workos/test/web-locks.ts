/**
 * happy-dom reports `navigator.locks` as present but `null`, and authkit-js checks only
 * `'locks' in navigator`. This installs a minimal exclusive Web Locks (`request(name,
 * { signal }, callback)`) for one page, as browsers provide it, so authkit-js takes its
 * real native-lock path.
 */
export function installWebLocks(): void {
  const tails = new Map<string, Promise<unknown>>()
  const locks = {
    request<T>(name: string, options: { signal?: AbortSignal }, callback: () => T | Promise<T>) {
      const previous = tails.get(name) ?? Promise.resolve()
      const result = new Promise<T>((resolve, reject) => {
        const onAbort = () =>
          reject(options.signal?.reason ?? new DOMException('Aborted', 'AbortError'))
        options.signal?.addEventListener('abort', onAbort, { once: true })
        previous.then(async () => {
          options.signal?.removeEventListener('abort', onAbort)
          if (options.signal?.aborted) return
          try {
            resolve(await callback())
          } catch (error) {
            reject(error)
          }
        })
      })
      const settled = result.catch(() => undefined)
      tails.set(name, settled)
      return result
    },
  }
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true })
}
