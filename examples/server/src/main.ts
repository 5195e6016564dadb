/**
 * `pnpm demo`: builds the web app, then serves it with its whole backend on 127.0.0.1 —
 * Better Auth (the provider), the data API (PGlite + row-level security), the link endpoints.
 * `PORT` picks the port (default 4321). `pnpm demo -- --smoke` drives the page in Chromium
 * on a free port and exits 0 only if every step happened.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { listen, PortInUseError } from './listen.js'

const smoke = process.argv.includes('--smoke')
const webRoot = fileURLToPath(new URL('../../web/', import.meta.url))

// Progress at once: the build and the embedded stack take a while on a small machine.
const progress = (line: string) => smoke || console.log(`  ${line}`)

// The port first, so a busy one is a one-line answer before any waiting.
const server = await listen(smoke ? 0 : Number(process.env.PORT ?? 4321)).catch((error) => {
  if (!(error instanceof PortInUseError)) throw error
  console.error(`keyway demo: ${error.message}`)
  process.exit(1)
})
progress(`keyway demo: ${server.url} reserved; building the web app (examples/web)…`)
execFileSync('pnpm', ['--silent', 'build'], { cwd: webRoot, stdio: smoke ? 'ignore' : 'inherit' })
progress('starting Better Auth, the data API (PGlite) and the link endpoints…')
// Loaded only now: Better Auth and PGlite take seconds to import, the port check must not wait.
const { createDemoApp } = await import('./app.js')
const { staticFiles } = await import('./static-files.js')

// Short tokens in smoke mode so a proactive refresh happens within seconds.
const app = await createDemoApp({ baseURL: server.url, tokenLifetimeSec: smoke ? 12 : 60 })
const files = staticFiles(`${webRoot}dist`)
server.serve(async (request) => (await app.handle(request)) ?? files(request))

async function stop(code: number): Promise<never> {
  await server.close()
  await app.close()
  process.exit(code)
}

if (smoke) {
  try {
    const { runSmoke } = await import('./smoke.js')
    await runSmoke(server.url)
    await stop(0)
  } catch (error) {
    console.error(`demo smoke failed: ${(error as Error).message}`)
    await stop(1)
  }
} else {
  console.log(`\n  keyway demo: ${server.url}\n`)
  console.log(
    '  Write a note as a guest, sign up, and watch the token refresh. Open a second tab too.',
  )
  console.log('  Ctrl-C to stop.\n')
  process.on('SIGINT', () => void stop(0))
}
