import { type Credentials, KeywayError } from '@keyway/core'
import { networkFailure } from './network-failure.js'

/**
 * Reads a 200 answer's JSON body. A body that stops arriving (connection reset mid-body) or
 * arrives cut short (truncated JSON) is a network failure like any other: transient, so the
 * session keeps its valid token and retries. Only a body that parsed and holds no token is the
 * endpoint's final word (the caller decides that).
 */
export async function readTokenBody(
  response: Response,
  signal: AbortSignal,
): Promise<Partial<Credentials>> {
  let text: string
  try {
    text = await response.text()
  } catch (cause) {
    throw networkFailure(signal, 'The token response was cut off before its end', cause, response)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (cause) {
    throw new KeywayError(
      'ERR_PROVIDER',
      'The token endpoint answered with a body that is not JSON',
      {
        transient: true,
        cause,
        response,
      },
    )
  }
  return typeof body === 'object' && body !== null ? (body as Partial<Credentials>) : {}
}
