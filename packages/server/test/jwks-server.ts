import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JWK } from 'jose'

/**
 * How the endpoint answers: `ok` the key set; `down` 503; `not-found` 404; `garbage` 200
 * with bytes that are not JSON; `not-a-key-set` 200 with JSON that is not a JWKS; `html` 200
 * with a login page; `huge` 200 with a key set of `hugeBytes` (declared, or chunked when
 * `chunked`); `slow` the key set after `delayMs`; `redirect` a 302 to `redirectTo`.
 */
export type JwksMode =
  | 'ok'
  | 'down'
  | 'not-found'
  | 'garbage'
  | 'not-a-key-set'
  | 'html'
  | 'huge'
  | 'slow'
  | 'redirect'

/**
 * A real JWKS endpoint on 127.0.0.1 (port 0) that counts requests, can change its keys
 * (rotation) and misbehave as a provider might (see `JwksMode`), and records every path.
 */
export async function startJwksServer(keys: JWK[]) {
  const state = {
    requests: 0,
    down: false,
    mode: 'ok' as JwksMode,
    keys,
    paths: [] as string[],
    delayMs: 0,
    redirectTo: '',
    hugeBytes: 4 * 1024 * 1024,
    chunked: false,
    /** Bytes of the huge body actually written before the client went away. */
    hugeWritten: 0,
  }
  const server: Server = createServer((req, res) => {
    state.requests++
    state.paths.push(req.url ?? '')
    const mode = state.down ? 'down' : state.mode
    const json = (body: unknown) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(body))
    }
    switch (mode) {
      case 'down':
        res.statusCode = 503
        return res.end('down')
      case 'not-found':
        res.statusCode = 404
        return res.end('not found')
      case 'garbage':
        return res.end('\u0000\u0001 not json {')
      case 'not-a-key-set':
        return json({ error: 'maintenance', keys: 'soon' })
      case 'html':
        res.setHeader('content-type', 'text/html')
        return res.end('<html><body>Sign in</body></html>')
      case 'redirect':
        res.statusCode = 302
        res.setHeader('location', state.redirectTo)
        return res.end()
      case 'slow':
        return void setTimeout(() => json({ keys: state.keys }), state.delayMs).unref()
      case 'huge': {
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        if (!state.chunked) res.setHeader('content-length', String(state.hugeBytes))
        res.write('{"keys":[')
        let written = 0
        const pump = () => {
          while (written < state.hugeBytes && !res.destroyed) {
            written += chunk.length
            state.hugeWritten += chunk.length
            if (!res.write(chunk)) return void res.once('drain', pump)
          }
          res.end(']}')
        }
        res.on('error', () => undefined)
        return pump()
      }
      default:
        return json({ keys: state.keys })
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    state,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export type JwksServer = Awaited<ReturnType<typeof startJwksServer>>
