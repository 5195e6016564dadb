import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/** Serves the built web app; unknown paths get index.html (a single-page app). */
export function staticFiles(root: string) {
  return async (request: Request): Promise<Response> => {
    const path = normalize(decodeURIComponent(new URL(request.url).pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    )
    for (const candidate of [path, '/index.html']) {
      try {
        const body = await readFile(join(root, candidate === '/' ? '/index.html' : candidate))
        return new Response(body, {
          headers: { 'content-type': TYPES[extname(candidate)] ?? TYPES['.html']! },
        })
      } catch {}
    }
    return new Response('not found', { status: 404 })
  }
}
