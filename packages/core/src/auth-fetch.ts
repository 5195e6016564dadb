import { isKeywayError, toKeywayError } from './errors.js'
import type { Session } from './session/types.js'

export interface AuthFetchOptions {
  /** The fetch to wrap. Default `globalThis.fetch`. */
  fetch?: typeof fetch
  /** Which answers mean "this token was rejected". Default: status 401. */
  isRejected?: (response: Response) => boolean
}

function canResend(body: BodyInit | null | undefined): boolean {
  // A stream is consumed by the first attempt; everything else can be sent again.
  return !(typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
}

/**
 * A `fetch` that sends `Authorization: Bearer <token>` from the session, and on a 401
 * reports the rejection and retries once with the new token (when the body can be sent
 * again). Any other answer is returned as it is, and tells the session the token was accepted
 * (which ends a chain of rejections). It rejects only with a `KeywayError`: `ERR_NETWORK`
 * (the original error in `cause`) when the request could not be sent, or the session's error
 * when no token can be had.
 *
 * @example
 * ```ts
 * const api = authFetch(session)
 * const res = await api('https://data.example.com/rest/v1/notes?select=*')
 * ```
 */
export function authFetch(session: Session, options: AuthFetchOptions = {}): typeof fetch {
  const isRejected = options.isRejected ?? ((r: Response) => r.status === 401)
  return async (input, init) => {
    const doFetch = options.fetch ?? globalThis.fetch
    const request = new Request(input, init)
    const copy = canResend(init?.body) ? request.clone() : undefined
    const send = async (req: Request, bearer: string) => {
      const headers = new Headers(req.headers)
      headers.set('Authorization', `Bearer ${bearer}`)
      let response: Response
      try {
        response = await doFetch(new Request(req, { headers }))
      } catch (error) {
        throw toKeywayError(error)
      }
      if (!isRejected(response)) session.reportAccepted(bearer)
      return response
    }
    const token = await session.getToken()
    const response = await send(request, token)
    if (!isRejected(response) || !copy) return response
    let next: Awaited<ReturnType<Session['reportRejected']>>
    try {
      next = await session.reportRejected(token)
    } catch (e) {
      if (isKeywayError(e)) return response
      throw e
    }
    if (!next) return response
    await response.body?.cancel().catch(() => {})
    return send(copy, next.token)
  }
}
