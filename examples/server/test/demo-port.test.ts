import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))

it('pnpm demo on a busy port says so in one line and exits 1, before building anything', async () => {
  const blocker = createServer()
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
  const port = (blocker.address() as { port: number }).port
  try {
    const started = Date.now()
    const child = spawn(
      process.execPath,
      ['--conditions=@keyway/source', '--import', 'tsx', 'examples/server/src/main.ts'],
      { cwd: root, env: { ...process.env, PORT: String(port) } },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise((r) => child.on('close', r))
    console.log(`busy port answered in ${Date.now() - started} ms`)
    expect(code).toBe(1)
    expect(stderr.trim()).toBe(
      `keyway demo: port ${port} is already in use on 127.0.0.1: stop what listens there, or pick another port (PORT=${port + 1} pnpm demo)`,
    )
    expect(stdout).not.toContain('building')
  } finally {
    blocker.close()
  }
}, 60_000)
