import { KeywayError } from './errors.js'

/**
 * Settles like `promise`, but rejects with `ERR_ABORTED` as soon as `signal` aborts. For
 * provider SDK calls that take no AbortSignal of their own: the SDK call keeps running,
 * keyway just stops waiting for it.
 *
 * @example
 * ```ts
 * const token = await raceSignal(user.getIdToken(forceRefresh), signal)
 * ```
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.reject(abortError(signal))
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** The error an aborted signal stands for: its reason when that is a KeywayError. */
export function abortError(signal: AbortSignal): KeywayError {
  const reason: unknown = signal.reason
  if (reason instanceof KeywayError) return reason
  return new KeywayError('ERR_ABORTED', 'The call was aborted', { cause: reason })
}
