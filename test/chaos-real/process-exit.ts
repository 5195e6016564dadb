import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type Check, exitsByItself } from './invariants.js'
import type { Servers } from './servers.js'

// I6: a Node process that used a session exits by itself once its work is done, whether it
// calls dispose() or not (the session's timers must not hold the event loop). The yardstick is
// the same script doing the same requests without keyway.

/** How much longer than the script without keyway a process may take to exit. */
const GRACE_MS = 1_000
const KILL_AFTER_MS = 15_000

type Mode = 'none' | 'dispose' | 'keep'

/** Runs child-session.ts; resolves how long it lived after printing `done`, or `undefined`. */
function timeExit(servers: Servers, mode: Mode): Promise<number | undefined> {
  const child = spawn(
    process.execPath,
    ['--conditions=@keyway/source', '--import', 'tsx', 'child-session.ts'],
    {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: {
        ...process.env,
        ISSUER_URL: servers.issuer.origin,
        RESOURCE_URL: servers.resource.url,
        KEYWAY_MODE: mode,
      },
    },
  )
  let output = ''
  let doneAt: number | undefined
  const collect = (chunk: Buffer) => {
    output += chunk
    if (doneAt === undefined && /done 200/.test(output)) doneAt = Date.now()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
    child.on('exit', (code) => {
      clearTimeout(kill)
      if (code !== 0 && code !== null)
        console.log(`[chaos-real] child (${mode}) failed:\n${output}`)
      resolve(code === 0 && doneAt !== undefined ? Date.now() - doneAt : undefined)
    })
  })
}

export async function processExit(servers: Servers): Promise<Check[]> {
  servers.issuer.client('child', { lifetimeSec: 20 })
  const [none, disposed, kept] = await Promise.all(
    (['none', 'dispose', 'keep'] as const).map((mode) => timeExit(servers, mode)),
  )
  const limit = (none ?? 0) + GRACE_MS
  return [
    exitsByItself('dispose()', disposed, limit, KILL_AFTER_MS),
    exitsByItself('no dispose', kept, limit, KILL_AFTER_MS),
  ]
}
