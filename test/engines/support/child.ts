import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { node22 } from './node22.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface ChildServer {
  /** Every JSON line the child printed, in order. */
  events: Array<Record<string, unknown>>
  /** The first event matching, awaited (bounded by `timeoutMs`). */
  waitFor(
    match: (e: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>
  stop(): Promise<void>
  process: ChildProcess
}

/**
 * Runs a TypeScript server script under Node ≥ 22 (tsx, workspace packages from source), and
 * collects the JSON lines it prints. Its stderr (servers log every refused token there) is
 * kept, and printed only if the child dies on its own.
 */
export function startChild(script: string, env: Record<string, string>): ChildServer {
  const child = spawn(
    node22(),
    ['--conditions=@keyway/source', '--import', 'tsx', fileURLToPath(script)],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const events: Array<Record<string, unknown>> = []
  const waiters = new Set<() => void>()
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line))
    } catch {
      return
    }
    for (const w of [...waiters]) w()
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000)
  })
  let exited = false
  let stopping = false
  child.on('exit', (code, signal) => {
    exited = true
    if (!stopping) console.error(`${script} exited (${code ?? signal}):\n${stderr}`)
    for (const w of [...waiters]) w()
  })
  return {
    events,
    process: child,
    waitFor(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match)
          if (found) done(() => resolve(found))
          else if (exited) done(() => reject(new Error(`${script} exited (${child.exitCode})`)))
        }
        const timer = setTimeout(
          () => done(() => reject(new Error(`timeout waiting on ${script}`))),
          timeoutMs,
        )
        const done = (then: () => void) => {
          clearTimeout(timer)
          waiters.delete(check)
          then()
        }
        waiters.add(check)
        check()
      })
    },
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true
        if (exited) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
      }),
  }
}
