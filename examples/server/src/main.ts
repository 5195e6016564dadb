/**
 * `pnpm demo`: builds the web app, then serves it with its whole backend on 127.0.0.1 —
 * Better Auth (the provider), the data API (PGlite + row-level security), the link endpoints.
 * `pnpm demo -- --smoke` drives the page in Chromium and exits 0 only if every step happened.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createDemoApp } from './app.js'
import { listen } from './listen.js'
import { runSmoke } from './smoke.js'
import { staticFiles } from './static-files.js'

const smoke = process.argv.includes('--smoke')
const webRoot = fileURLToPath(new URL('../../web/', import.meta.url))

execFileSync('pnpm', ['--silent', 'build'], { cwd: webRoot, stdio: smoke ? 'ignore' : 'inherit' })

const server = await listen(smoke ? 0 : Number(process.env.PORT ?? 4321))
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
