import {
  type Connector,
  type FetchReason,
  isKeywayError,
  type Session,
  type SessionEvent,
  type SessionStatus,
} from '@keyway/core'
import { decodeJwt } from 'jose'

/** One connector call, as the session made it. Times are wall-clock ms. */
export interface CallRecord {
  session: string
  at: number
  end?: number
  reason: FetchReason
  outcome: 'pending' | 'ok' | 'null' | 'error'
  code?: string
  transient?: boolean
}

/** A token the session handed out, with the life it really had left then (from its `exp`). */
export interface HandOut {
  session: string
  at: number
  via: 'getToken' | 'getCredentials' | 'authFetch'
  jti: string | undefined
  /** `exp × 1000 − now`: the true remaining life. */
  remainingMs: number
  /** `expiresAt − exp × 1000` from `getCredentials`: how much more life the session claimed. */
  overclaimMs?: number
}

/** One `authFetch` call: every send it made and how it ended. */
export interface RequestRecord {
  session: string
  at: number
  end: number
  /** Status of each send (the first, then the retry after a 401). */
  statuses: number[]
  jtis: Array<string | undefined>
  /** What it rejected with, if it did. */
  error?: ErrorInfo
}

export interface ErrorInfo {
  keyway: boolean
  code?: string
  transient?: boolean
}

/** A promise of the session or of `authFetch` that rejected. */
export interface ErrorRecord extends ErrorInfo {
  session: string
  at: number
  op: 'getToken' | 'getCredentials' | 'authFetch'
  /** The token handed out last was still valid (beyond the floor, not revoked) at that moment. */
  droppedValid: boolean
}

export interface StatusRecord {
  session: string
  at: number
  status: SessionStatus
  lastError?: ErrorInfo
}

const REQUEST_HEADER = 'x-chaos-request'

export function errorInfo(e: unknown): ErrorInfo {
  return isKeywayError(e)
    ? { keyway: true, code: e.code, transient: e.transient }
    : { keyway: false, code: String(e) }
}

function claimsOf(token: string): { jti: string | undefined; expMs: number } {
  const { jti, exp } = decodeJwt(token)
  return { jti, expMs: (exp ?? 0) * 1000 }
}

/**
 * Records everything the wall-clock suite checks: connector calls, tokens handed out, every
 * `authFetch` and its sends, every rejection, status changes and the session's own events.
 */
export class Recorder {
  readonly calls: CallRecord[] = []
  readonly handOuts: HandOut[] = []
  readonly requests: RequestRecord[] = []
  readonly errors: ErrorRecord[] = []
  readonly statuses: StatusRecord[] = []
  readonly events: Array<SessionEvent & { session: string }> = []
  readonly #sends = new Map<string, { statuses: number[]; jtis: Array<string | undefined> }>()
  readonly #lastHanded = new Map<string, HandOut & { expMs: number }>()
  #requestIds = 0

  constructor(
    /** Whether the backend revoked the token with this jti (then it is no valid token to keep). */
    readonly isRevoked: (jti: string | undefined) => boolean,
    /** The hand-out floor per session: `min(5 s, lifetime / 4)`. */
    readonly floorOf: (session: string) => number,
  ) {}

  /** A connector that records each call and its outcome, then delegates to `inner`. */
  instrument(session: string, inner: Connector): Connector {
    return {
      id: inner.id,
      fetchCredentials: async (options) => {
        const call: CallRecord = {
          session,
          at: Date.now(),
          reason: options.reason,
          outcome: 'pending',
        }
        this.calls.push(call)
        try {
          const answer = await inner.fetchCredentials(options)
          call.outcome = answer ? 'ok' : 'null'
          return answer
        } catch (e) {
          Object.assign(call, { outcome: 'error' }, errorInfo(e))
          throw e
        } finally {
          call.end = Date.now()
        }
      },
    }
  }

  /** Records status changes and the session's events (`inspect`). */
  observe(session: string, s: Session): () => void {
    let last: SessionStatus | undefined
    const onChange = () => {
      const snapshot = s.getSnapshot()
      if (snapshot.status === last) return
      last = snapshot.status
      this.statuses.push({
        session,
        at: Date.now(),
        status: snapshot.status,
        ...(snapshot.lastError ? { lastError: errorInfo(snapshot.lastError) } : {}),
      })
    }
    onChange()
    const offStatus = s.subscribe(onChange)
    const offEvents = s.inspect((event) => this.events.push({ ...event, session }))
    return () => {
      offStatus()
      offEvents()
    }
  }

  handOut(session: string, via: HandOut['via'], token: string, expiresAt?: number): void {
    const at = Date.now()
    const { jti, expMs } = claimsOf(token)
    const record: HandOut = { session, at, via, jti, remainingMs: expMs - at }
    if (expiresAt !== undefined) record.overclaimMs = expiresAt - expMs
    this.handOuts.push(record)
    this.#lastHanded.set(session, { ...record, expMs })
  }

  error(session: string, op: ErrorRecord['op'], e: unknown): void {
    const at = Date.now()
    const last = this.#lastHanded.get(session)
    const droppedValid =
      !!last && last.expMs - at > this.floorOf(session) && !this.isRevoked(last.jti)
    this.errors.push({ session, at, op, droppedValid, ...errorInfo(e) })
  }

  /** Headers that tie each send of one `authFetch` call to it. */
  newRequest(): { id: string; headers: Record<string, string> } {
    const id = String(++this.#requestIds)
    this.#sends.set(id, { statuses: [], jtis: [] })
    return { id, headers: { [REQUEST_HEADER]: id } }
  }

  /** Records how the `authFetch` call `id` ended; pass the rejection when it rejected (even `undefined`). */
  request(session: string, id: string, at: number, ...rejection: [] | [unknown]): void {
    const sends = this.#sends.get(id)!
    this.#sends.delete(id)
    const failed = rejection.length > 0
    this.requests.push({
      session,
      at,
      end: Date.now(),
      ...sends,
      ...(failed ? { error: errorInfo(rejection[0]) } : {}),
    })
    if (failed) this.error(session, 'authFetch', rejection[0])
  }

  /** The fetch `authFetch` sends through: records the token of each send, and its answer. */
  recordingFetch(session: string, headers: Record<string, string>): typeof fetch {
    return async (input, init) => {
      const request = new Request(input, init)
      const token = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1]
      if (token) this.handOut(session, 'authFetch', token)
      const extra = new Headers(request.headers)
      for (const [name, value] of Object.entries(headers)) extra.set(name, value)
      const response = await fetch(new Request(request, { headers: extra }))
      const sends = this.#sends.get(request.headers.get(REQUEST_HEADER) ?? '')
      sends?.statuses.push(response.status)
      sends?.jtis.push(token ? claimsOf(token).jti : undefined)
      return response
    }
  }
}
