/**
 * Keycloak issues its refresh tokens as JWTs and keycloak-js decodes them
 * (`refreshTokenParsed`); oidc-provider's are opaque. This wraps oidc-provider's token
 * endpoint so that the refresh tokens it hands out are JWT-shaped (the opaque token inside,
 * as claim `rt`) and unwraps them on the way back in. The grant itself stays oidc-provider's:
 * rotation, reuse detection and revocation are real.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { Handler } from '../../oidc/test/oidc-server.js'

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

function wrap(opaque: string): string {
  const iat = Math.floor(Date.now() / 1000)
  return `${part({ alg: 'HS512', typ: 'JWT' })}.${part({ typ: 'Refresh', iat, rt: opaque })}.kc`
}

function unwrap(token: string): string {
  try {
    const rt = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).rt
    return typeof rt === 'string' ? rt : token
  } catch {
    return token
  }
}

export function jwtRefreshTokens(next: Handler): Handler {
  return (req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/token')) return next(req, res)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString())
      const presented = form.get('refresh_token')
      if (presented) form.set('refresh_token', unwrap(presented))
      const raw = Buffer.from(form.toString())
      const replay = Object.assign(Readable.from([raw]), {
        headers: { ...req.headers, 'content-length': String(raw.length) },
        method: req.method,
        url: req.url,
        httpVersion: req.httpVersion,
        socket: req.socket,
        connection: req.socket,
      }) as unknown as IncomingMessage
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse
      res.end = ((chunk?: unknown) => {
        const type = String(res.getHeader('content-type') ?? '')
        if (chunk && type.includes('json')) {
          const body = JSON.parse(String(chunk)) as { refresh_token?: string }
          if (body.refresh_token) {
            body.refresh_token = wrap(body.refresh_token)
            chunk = JSON.stringify(body)
            res.setHeader('content-length', Buffer.byteLength(chunk as string))
          }
        }
        return end(chunk)
      }) as typeof res.end
      next(replay, res)
    })
  }
}
