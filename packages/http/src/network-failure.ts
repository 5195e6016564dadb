import { KeywayError } from '@keyway/core'

/**
 * The error for a request or response that did not get through: `ERR_ABORTED` when our own
 * signal (timeout, dispose) stopped it, else a transient `ERR_NETWORK`, whether the failure came
 * while connecting, before the headers or in the middle of the body.
 */
export function networkFailure(
  signal: AbortSignal,
  message: string,
  cause: unknown,
  response?: Response,
): KeywayError {
  if (signal.aborted)
    return new KeywayError('ERR_ABORTED', 'The token request was aborted', { cause })
  return new KeywayError('ERR_NETWORK', message, { cause, ...(response ? { response } : {}) })
}
