import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type Check, exitsByItself } from './invariants.js'
import type { Servers } from './servers.js'

// I6: a Node process that used a session exits by itself once its work is done, whether it
// calls dispose() or not (the session's timers must not hold the event loop). The yardstick is
// the same script doing the same requests without keyway.

/** How much longer than the script without keyway a process may take to exit. */
const GRACE_MS = 1_000
const KILL_AFTER_MS = 20_000

type Mode = 'none' | 'dispose' | 'keep'

/** How one child run went: when it finished its work and when it exited, after its start. */
interface ChildRun {
  doneMs?: number
  exitMs?: number
  output: string
}

/** Runs child-session.ts and times it. */
function runChild(servers: Servers, mode: Mode): Promise<ChildRun> {
  const started = Date.now()
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
  const run: ChildRun = { output: '' }
  const collect = (chunk: Buffer) => {
    run.output += chunk
    if (run.doneMs === undefined && /done \d+/.test(run.output)) run.doneMs = Date.now() - started
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
    child.on('exit', (code) => {
      clearTimeout(kill)
      if (code === 0) run.exitMs = Date.now() - started
      resolve(run)
    })
  })
}

export async function processExit(servers: Servers): Promise<Check[]> {
  servers.issuer.client('child', { lifetimeSec: 20 })
  const [none, disposed, kept] = await Promise.all([
    runChild(servers, 'none'),
    runChild(servers, 'dispose'),
    runChild(servers, 'keep'),
  ])
  const baseline =
    none.exitMs !== undefined && none.doneMs !== undefined ? none.exitMs - none.doneMs : 0
  return [
    exitsByItself('dispose()', disposed, baseline + GRACE_MS, KILL_AFTER_MS),
    exitsByItself('no dispose', kept, baseline + GRACE_MS, KILL_AFTER_MS),
  ]
}
