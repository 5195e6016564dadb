import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PROJECT_ID = 'demo-keyway'
const FIREBASE_BIN = fileURLToPath(new URL('../node_modules/.bin/firebase', import.meta.url))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

/**
 * The real Firebase Auth emulator from firebase-tools, on free loopback ports, with the UI
 * off. `stop()` and `start()` again on the same port simulate a provider outage.
 */
export async function startAuthEmulator() {
  const [auth, hub, logging] = [await freePort(), await freePort(), await freePort()]
  const dir = mkdtempSync(join(tmpdir(), 'keyway-fb-'))
  writeFileSync(
    join(dir, 'firebase.json'),
    JSON.stringify({
      emulators: {
        auth: { host: '127.0.0.1', port: auth },
        hub: { host: '127.0.0.1', port: hub },
        logging: { host: '127.0.0.1', port: logging },
        ui: { enabled: false },
        singleProjectMode: true,
      },
    }),
  )
  const base = `http://127.0.0.1:${auth}`
  const data = join(dir, 'data')
  let child: ChildProcess | undefined
  let started = 0

  async function start(): Promise<void> {
    // Accounts survive a stop/start (export on exit, import on start), as a real outage would.
    const persistence =
      started++ === 0 ? ['--export-on-exit', data] : ['--import', data, '--export-on-exit', data]
    child = spawn(
      FIREBASE_BIN,
      ['emulators:start', '--only', 'auth', '--project', PROJECT_ID, ...persistence],
      {
        cwd: dir,
        detached: true,
        stdio: 'ignore',
        // TMPDIR: firebase-tools finds "the" emulator hub of a project through a locator file
        // in the temp directory, and exports on exit through it. Shared, another emulator of
        // the same project (the other test file running beside this one, or a stray
        // `emulators:start`) would own it, and this one's accounts would not survive a restart.
        env: { ...process.env, FIREBASE_CLI_EXPERIMENTS: '', CI: 'true', TMPDIR: dir },
      },
    )
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const ready = await fetch(`${base}/`).then(
        async (r) =>
          ((await r.json()) as { authEmulator?: { ready?: boolean } }).authEmulator?.ready === true,
        () => false,
      )
      if (ready) return
      await new Promise((r) => setTimeout(r, 250))
    }
    // Not ready: stop it, or it outlives the test run.
    await stop()
    throw new Error('the Firebase Auth emulator did not start within 60 s')
  }

  async function stop(): Promise<void> {
    const proc = child
    if (!proc?.pid) return
    const exited = new Promise<void>((r) => proc.once('exit', () => r()))
    try {
      process.kill(-proc.pid, 'SIGTERM')
    } catch {}
    // It exports its accounts on the way out: on a loaded machine that takes a while, and a
    // kill before it is done would lose them (the restarted emulator would refuse the session).
    await Promise.race([exited, new Promise((r) => setTimeout(r, 45_000))])
    try {
      process.kill(-proc.pid, 'SIGKILL')
    } catch {}
    child = undefined
  }

  async function admin(path: string, body: unknown, method = 'POST') {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: 'Bearer owner', 'content-type': 'application/json' },
      body: method === 'DELETE' ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`emulator admin ${path} answered ${res.status}`)
    return res.json()
  }

  await start()
  return {
    port: auth,
    start,
    stop,
    /** Disables an account (the emulator's admin API), as a console "disable user" would. */
    disableUser: (localId: string) =>
      admin(`/identitytoolkit.googleapis.com/v1/projects/${PROJECT_ID}/accounts:update`, {
        localId,
        disableUser: true,
      }),
    /** Deletes every account. */
    reset: () => admin(`/emulator/v1/projects/${PROJECT_ID}/accounts`, undefined, 'DELETE'),
  }
}
